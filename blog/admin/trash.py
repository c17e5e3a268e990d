"""The trash: deleting moves a post here, out of every public page, until it is emptied."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for
from sqlalchemy import delete

from .. import clock, db, queries
from ..announcements import withdrawal_effects
from ..models import Post, Revision, Status, utcnow
from ..pagination import paginate
from .desk import post_or_404

bp = Blueprint("trash", __name__)

# Posts a page of the trash lists.
TRASH_PAGE = 50


def _confirm(post: Post, action: str):
    """Show what withdrawing `post` (to the trash, or back to a draft) affects, and ask."""
    now = clock.now()
    return render_template(
        "admin/withdraw.html",
        post=post,
        action=action,
        visible=post.is_visible(now),
        effects=withdrawal_effects(post, now),
    )


@bp.get("/posts/<int:post_id>/trash/confirm")
def confirm_move(post_id: int):
    """Ask before moving a post to the trash, saying which pages and announcements go."""
    return _confirm(post_or_404(post_id), "trash")


@bp.get("/posts/<int:post_id>/unpublish/confirm")
def confirm_unpublish(post_id: int):
    """Ask before making a published post a draft again, saying what goes with it."""
    post = post_or_404(post_id)
    if post.status != Status.PUBLISHED:
        return redirect(url_for("admin.posts.edit", post_id=post.id))
    return _confirm(post, "unpublish")


@bp.post("/posts/<int:post_id>/unpublish")
def unpublish(post_id: int):
    """Make a published post a draft again (its announcements follow, see withdraw.html)."""
    post = post_or_404(post_id)
    if post.status != Status.PUBLISHED:
        abort(409)
    post.status = Status.DRAFT
    db.session().add(Revision.of(post, g.user, note="unpublished"))
    db.session().commit()
    return redirect(url_for("admin.posts.edit", post_id=post.id, saved=1))


@bp.post("/posts/<int:post_id>/trash")
def move(post_id: int):
    """Move a post to the trash."""
    post = post_or_404(post_id)
    post.deleted_at = utcnow()
    db.session().commit()
    return redirect(url_for("admin.trash.index", moved=post.id))


@bp.get("/trash")
def index():
    """List the trash, the last moved first, a page at a time (a bulk action can move
    thousands of posts there)."""
    listing = paginate(queries.trashed_posts(), per_page=TRASH_PAGE)
    return render_template("admin/trash.html", listing=listing)


@bp.post("/trash/<int:post_id>/restore")
def restore(post_id: int):
    post = post_or_404(post_id, trashed=True)
    post.deleted_at = None
    db.session().commit()
    return redirect(url_for("admin.posts.edit", post_id=post.id))


@bp.post("/trash/empty")
def empty():
    """Delete the trashed posts for good, with their revisions."""
    session = db.session()
    session.execute(delete(Post).where(Post.deleted_at.is_not(None)))
    session.commit()
    return redirect(url_for("admin.trash.index", emptied=1))
