"""A post's revisions: the list, a comparison of two, and bringing one back."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import db, fields, permissions
from ..models import Post, Revision, utcnow
from ..rendering import RenderError
from ..rules import ContentRuleError
from .desk import post_or_404, refuse
from .diff import diff_fields

bp = Blueprint("revisions", __name__)


@bp.get("/posts/<int:post_id>/revisions")
def index(post_id: int):
    post = post_or_404(post_id)
    found = list(db.session().scalars(post.revisions.select().where(~Revision.autosave)))
    return render_template("admin/revisions.html", post=post, revisions=found)


def _revision(post: Post, revision_id: int | str) -> Revision:
    found = fields.parse_int(revision_id)
    revision = db.session().get(Revision, found) if found is not None else None
    if revision is None or revision.post_id != post.id:
        abort(404)
    return revision


@bp.get("/posts/<int:post_id>/compare")
def compare(post_id: int):
    """Compare two revisions (or a revision and the current text), field by field."""
    post = post_or_404(post_id)
    old = _revision(post, request.args.get("a", ""))
    new = _revision(post, request.args.get("b", ""))
    if old.id > new.id:
        old, new = new, old
    diffs = diff_fields(_revision_values(old), _revision_values(new))
    return render_template("admin/compare.html", post=post, old=old, new=new, diffs=diffs)


def _revision_values(revision: Revision) -> dict[str, str]:
    values = {name: getattr(revision, name) or "" for name in Revision.FIELDS}
    if revision.published_at:
        values["published_at"] = revision.published_at.isoformat(timespec="minutes")
    return values


@bp.post("/posts/<int:post_id>/revisions/<int:revision_id>/restore")
def restore(post_id: int, revision_id: int):
    """Bring back a revision's text; the restore is itself saved as a new revision."""
    post = post_or_404(post_id)
    revision = _revision(post, revision_id)
    session = db.session()
    if not permissions.may_edit(session, g.user, post):
        return refuse(_("A translator edits translations only: this post is an original."))
    try:
        for name in Revision.FIELDS:
            if name != "source":
                setattr(post, name, getattr(revision, name))
        post.set_source(revision.source)
        post.updated_at = utcnow()
        session.add(Revision.of(post, g.user, note=f"restored #{revision.id}"))
        session.commit()
    except (ContentRuleError, RenderError) as error:
        session.rollback()
        return render_template(
            "admin/revisions.html",
            post=session.get(Post, post_id),
            revisions=list(session.scalars(post.revisions.select().where(~Revision.autosave))),
            error=str(error),
        ), 422
    return redirect(url_for("admin.posts.edit", post_id=post.id, saved=1))
