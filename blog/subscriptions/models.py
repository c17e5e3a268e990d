"""The subscriptions' tables, on the store's metadata (models.Base).

A subscriber is an email address, the site it follows and, on a site of several languages,
the language ("" for all of them); confirmed_at is set by the confirmation link (double
opt-in). A mailing says, for one post, whether its subscribers get it: planned by the
editor's box, skipped, or sent (with when and to how many). Neither changes a public page.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, utcnow

EMAIL_MAX = 254


class MailingStatus(enum.StrEnum):
    PLANNED = "planned"
    SKIPPED = "skipped"
    SENT = "sent"


class Subscriber(Base):
    """An address that follows a site (in one language, or all) by email."""

    __tablename__ = "subscriber"
    __table_args__ = (
        UniqueConstraint("site", "email"),
        Index("ix_subscriber_site_confirmed", "site", "confirmed_at"),
        Index("ix_subscriber_address_hash", "address_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    # "" follows every language of the site.
    language: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    # When the address asked (or last asked again): an unconfirmed one is deleted
    # SUBSCRIPTIONS_CONFIRM_DAYS later.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A keyed hash of the sender's network address, for the rate limit; erased at confirmation.
    address_hash: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<Subscriber {self.id} {self.site}/{self.language or '*'}>"

    def changes_no_page(self) -> bool:
        return True


class Mailing(Base):
    """Whether a post goes to its sites' subscribers, and when it went."""

    __tablename__ = "mailing"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), default=MailingStatus.PLANNED)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def changes_no_page(self) -> bool:
        return True
