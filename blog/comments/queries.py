"""What public pages read of comments: Core statements, one per page, never one per post."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import Connection, bindparam, func, select

from ..rendering import stored_markup
from .models import Comment, CommentStatus

_IDS = bindparam("ids", expanding=True)
# Never the email nor the address hash: a public page has no use for them.
_SHOWN = select(
    Comment.id,
    Comment.parent_id,
    Comment.name,
    Comment.website,
    Comment.html,
    Comment.language,
    Comment.created_at,
    Comment.by_author,
).where(Comment.post_id == bindparam("post_id"), Comment.status == CommentStatus.APPROVED)
_OF_POST = _SHOWN.order_by(Comment.created_at, Comment.id)
_LATEST = _SHOWN.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(bindparam("limit"))
_COUNTS = (
    select(Comment.post_id, func.count())
    .where(Comment.post_id.in_(_IDS), Comment.status == CommentStatus.APPROVED)
    .group_by(Comment.post_id)
)


@dataclass(slots=True)
class Shown:
    """An approved comment as readers see it, with its replies."""

    id: int
    parent_id: int | None
    name: str
    website: str
    html: str
    language: str
    created_at: datetime
    by_author: bool
    replies: list[Shown] = field(default_factory=list)

    @property
    def body(self) -> Markup:
        return stored_markup(self.html)


def thread(connection: Connection, post_id: int) -> list[Shown]:
    """Return a post's approved comments, oldest first, each with its replies (one statement)."""
    found = [Shown(*row) for row in connection.execute(_OF_POST, {"post_id": post_id})]
    by_id = {c.id: c for c in found}
    top = []
    for comment in found:
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        if parent is not None:
            parent.replies.append(comment)
        elif comment.parent_id is None:
            top.append(comment)
    return top


def latest(connection: Connection, post_id: int, limit: int) -> list[Shown]:
    """Return a post's latest approved comments, newest first (its comments feed)."""
    rows = connection.execute(_LATEST, {"post_id": post_id, "limit": limit})
    return [Shown(*row) for row in rows]


def counts(connection: Connection, post_ids: Iterable[int]) -> dict[int, int]:
    """Return the number of approved comments of each post (one statement for a listing)."""
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    return dict(connection.execute(_COUNTS, {"ids": ids}).all())
