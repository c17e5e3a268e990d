"""Categories and tags: a stable slug and a name per language."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import db
from ..models import Term, TermKind
from ..sites import registry
from .forms import TermForm

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
    if request.method != "POST":
        form = TermForm.from_term(term, languages)
    else:
        form = TermForm.from_request(request.form, languages)
        if form.validate(session, term):
            form.apply(term)
            session.add(term)
            session.commit()
            return redirect(url_for("admin.terms.index", saved=term.id))
    return render_template(
        "admin/term.html", term=term, values=form.values, errors=form.errors, languages=languages
    ), (422 if form.errors else 200)


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
