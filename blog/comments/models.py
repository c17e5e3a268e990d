"""The comments' tables, on the store's metadata (models.Base).

Only what a conversation needs is kept: a name, an optional email (never shown) and website,
the text, its time, and for a while a hash of the sender's address (for the rate limit),
erased after COMMENTS_ADDRESS_DAYS. A held comment changes no public page, so its writes do
not advance the store state (changes_no_page, asked by rules.py); an approved one does.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, inspect
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, utcnow

NAME_MAX = 100
EMAIL_MAX = 254
WEBSITE_MAX = 300


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


class Comment(Base):
    """A reader's comment on a post, or the author's reply to one."""

    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_post_status_created", "post_id", "status", "created_at"),
        Index("ix_comment_status_created", "status", "created_at"),
        Index("ix_comment_address_hash", "address_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    # A reply's comment: replies go one level deep (a reply to a reply answers its parent).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.PENDING)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), default="")
    website: Mapped[str] = mapped_column(String(WEBSITE_MAX), default="")
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written by the author from the desk: marked as theirs on the page.
    by_author: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    address_hash: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<Comment {self.id} on {self.post_id} {self.status}>"

    def changes_no_page(self) -> bool:
        """Say whether this write leaves every public page as it was (never approved)."""
        before = inspect(self).attrs.status.history.deleted or ()
        return CommentStatus.APPROVED not in (self.status, *before)


class BlockedPattern(Base):
    """A word, email, website or network address whose comments wait for moderation."""

    __tablename__ = "comment_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(200), unique=True)

    def changes_no_page(self) -> bool:
        return True
