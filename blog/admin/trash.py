"""The trash: deleting moves a post here, out of every public page, until it is emptied."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import delete

from .. import db, queries
from ..models import Post, utcnow
from .desk import post_or_404

bp = Blueprint("trash", __name__)


@bp.post("/posts/<int:post_id>/trash")
def move(post_id: int):
    """Move a post to the trash."""
    post = post_or_404(post_id)
    post.deleted_at = utcnow()
    db.session().commit()
    return redirect(url_for("admin.trash.index", moved=post.id))


@bp.get("/trash")
def index():
    posts = list(db.session().scalars(queries.trashed_posts()))
    return render_template("admin/trash.html", posts=posts)


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
