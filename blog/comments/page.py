"""What a post page shows of its comments: the thread, the form, the notice after sending."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from ..fields import parse_int
from ..models import Kind
from ..sites import Site
from . import queries, service
from .models import Comment, CommentStatus


def accepts(site: Site, post) -> bool:
    """Say whether readers of `site` may comment on `post` (a post, open, on a site that allows)."""
    return site.comments and post.kind == Kind.POST and bool(post.comments_open)


def context(
    connection: Connection,
    site: Site,
    post,
    now: datetime,
    secret: str,
    form: service.CommentForm | None = None,
    sent: str = "",
    reply_to: str = "",
) -> dict:
    """Return the post page's comment values (one statement for the thread, one for a notice)."""
    if not site.comments or post.kind != Kind.POST:
        return {"comments_shown": False}
    thread = queries.thread(connection, post.id)
    form = form or service.CommentForm()
    if form.parent_id is None:
        form.parent_id = parse_int(reply_to)
    parent = next((c for c in thread if c.id == form.parent_id), None)
    if parent is None:
        form.parent_id = None
    return {
        "comments_shown": True,
        "comments": thread,
        "comment_count": sum(1 + len(c.replies) for c in thread),
        "comments_open": accepts(site, post),
        "comment_form": form,
        "comment_token": service.form_token(secret, post.id, now),
        "replying_to": parent,
        "sent": _sent(connection, secret, post.id, sent),
    }


def _sent(connection: Connection, secret: str, post_id: int, token: str) -> dict | None:
    """Return what became of the comment a reader just sent (from its removal token), or None."""
    comment_id = service.removal_of(secret, token) if token else None
    if comment_id is None:
        return None
    status = connection.execute(
        select(Comment.status).where(Comment.id == comment_id, Comment.post_id == post_id)
    ).scalar()
    if status is None:
        return None
    published = status == CommentStatus.APPROVED
    return {"id": comment_id, "published": published, "removal": token}
