"""Translating: a new translation's form, the outdated flag and the "translations to update".

A translation remembers the post it was made from and that post's text then (Post.follow);
when the original's text changes (Post.text_version), the translation is outdated until the
translator marks it up to date, having seen what changed (changes_since).
"""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for
from sqlalchemy import select

from .. import db, queries, translations
from ..models import Post, Revision, Status, TermKind
from ..pagination import paginate
from ..sites import SiteRegistry
from .desk import post_or_404
from .diff import diff_fields

bp = Blueprint("translating", __name__)

# What the outdated flag compares of the original: its text, not its status or date.
TEXT_FIELDS = ("title", "summary", "source")


def new_translation(sites: SiteRegistry, original: Post, language: str) -> dict:
    """Return the editor's values for a new translation of `original` into `language`.

    The title and the slug start empty (the slug is then made from the translation's own
    title, never the original's address); the text starts as the original's, to be rewritten
    paragraph by paragraph beside it, links and images in place.
    """
    on = translations.translation_sites(sites, original, language)
    tags = [t for t in original.terms if t.kind == TermKind.TAG]
    return {
        "title": "",
        "slug": "",
        "language": language,
        "summary": "",
        "source": original.source,
        "home_site": on[0],
        "sites": on[1:],
        "status": Status.DRAFT,
        "published_at": "",
        "categories": [str(t.id) for t in original.categories()],
        "tags": ", ".join(t.name(language) for t in tags),
        "menu_order": "" if original.menu_order is None else str(original.menu_order),
        "kind": original.kind,
        "version": "",
        "pinned": "",
        "translation_of": str(original.id),
        "term_names": {},
    }


def last_revision_id(post: Post) -> int | None:
    """Return the id of a post's latest revision (its text as it is now), if it has one."""
    saved = post.revisions.select().where(~Revision.autosave)
    return db.session().scalar(saved.with_only_columns(Revision.id).limit(1))


def changes_since(post: Post | None):
    """Return what changed in an outdated translation's original since it was made (a list
    of diff.FieldDiff), or None when it is not outdated."""
    if post is None or not post.is_outdated:
        return None
    original = post.translated_from
    then = db.session().get(Revision, post.translated_from_revision_id or 0)
    old = {name: getattr(then, name) if then else "" for name in TEXT_FIELDS}
    new = {name: getattr(original, name) or "" for name in TEXT_FIELDS}
    return diff_fields(old, new, TEXT_FIELDS)


@bp.post("/posts/<int:post_id>/up-to-date")
def mark_up_to_date(post_id: int):
    """Record that a translation matches its original as it is now: the flag goes."""
    post = post_or_404(post_id)
    original = post.translated_from
    if original is None:
        abort(404)
    post.follow(original, last_revision_id(original))
    db.session().add(Revision.of(post, g.user, note="marked up to date"))
    db.session().commit()
    return redirect(url_for("admin.posts.edit", post_id=post.id, saved=1))


@bp.get("/translations/outdated")
def outdated():
    """List the translations whose original changed since they were made or last checked."""
    listing = paginate(queries.outdated_translations(), per_page=50)
    ids = {p.translated_from_id for p in listing.items}
    originals = {p.id: p for p in db.session().scalars(select(Post).where(Post.id.in_(ids)))}
    return render_template("admin/outdated.html", listing=listing, originals=originals)
