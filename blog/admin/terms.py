"""Categories and tags: a stable slug and a name per language."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import db, fields
from ..models import SLUG_MAX, SLUG_RE, Term, TermKind
from ..sites import registry
from ..slugs import slugify

bp = Blueprint("terms", __name__, url_prefix="/terms")


@bp.get("/")
def index():
    terms = list(db.session().scalars(select(Term).order_by(Term.kind, Term.slug)))
    return render_template(
        "admin/terms.html",
        categories=[t for t in terms if t.kind == TermKind.CATEGORY],
        tags=[t for t in terms if t.kind == TermKind.TAG],
        languages=registry().languages,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    kind = TermKind.TAG if request.values.get("kind") == TermKind.TAG else TermKind.CATEGORY
    return _form(Term(kind=kind, slug=""))


@bp.route("/<int:term_id>", methods=["GET", "POST"])
def edit(term_id: int):
    term = db.session().get(Term, term_id)
    if term is None:
        abort(404)
    return _form(term)


def _form(term: Term):
    """Show and save a term's form; a refused form comes back as typed."""
    session = db.session()
    languages = registry().languages
    values = {"slug": term.slug, **{f"name-{n.language}": n.name for n in term.names}}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = request.form.to_dict()
        names = {}
        for lang in languages:
            try:
                names[lang] = fields.text(fields.TERM_NAME, values.get(f"name-{lang}", ""))
            except fields.FieldError as error:
                names[lang], errors["names"] = "", str(error)
        slug = values.get("slug", "").strip() or slugify(next(filter(None, names.values()), ""))
        values["slug"] = slug
        if not any(names.values()):
            errors.setdefault("names", _("Give the term a name in at least one language."))
        if not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
            errors["slug"] = _("The slug uses lowercase letters, digits and hyphens.")
        else:
            clash = session.scalar(
                select(Term.id).where(Term.kind == term.kind, Term.slug == slug, Term.id != term.id)
                if term.id
                else select(Term.id).where(Term.kind == term.kind, Term.slug == slug)
            )
            if clash is not None:
                errors["slug"] = _("Another term of this kind already has this slug.")
        if not errors:
            term.slug = slug
            for language, name in names.items():
                if name:
                    term.set_name(language, name)
            term.names = [n for n in term.names if names.get(n.language, n.name)]
            session.add(term)
            session.commit()
            return redirect(url_for("admin.terms.index", saved=term.id))
    return render_template(
        "admin/term.html", term=term, values=values, errors=errors, languages=languages
    ), (422 if errors else 200)


@bp.post("/<int:term_id>/delete")
def delete(term_id: int):
    """Delete a term; posts keep their text and lose only this label."""
    session = db.session()
    term = session.get(Term, term_id)
    if term is None:
        abort(404)
    session.delete(term)
    session.commit()
    return redirect(url_for("admin.terms.index"))
