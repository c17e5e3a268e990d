"""The tables of the book site's sections, on the store's metadata (models.Base).

They are not posts: a talk is a dated event, a press review a quotation of someone else's
text, so they carry the fields their pages and structured data need and nothing of a post's
translation groups or publications. Each has a `published` flag; readers see published rows
only. Writes advance the store state like any other (rules.install), so cached pages follow.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, utcnow

URL_MAX = 500
NAME_MAX = 200


class Talk(Base):
    """A talk, reading or signing: dated, placed, with an optional registration link."""

    __tablename__ = "talk"
    __table_args__ = (Index("ix_talk_published_starts_at", "published", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    city: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    registration_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Talk {self.id} {self.starts_at:%Y-%m-%d}>"

    def is_upcoming(self, now: datetime) -> bool:
        """Return whether the talk has not ended yet at `now` (started ones included)."""
        return (self.ends_at or self.starts_at) >= now


class PressReview(Base):
    """A review of the book in the press: a quotation, its outlet, author, date and source."""

    __tablename__ = "press_review"
    __table_args__ = (Index("ix_press_review_published_on", "published", "published_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet: Mapped[str] = mapped_column(String(NAME_MAX))
    author: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    published_on: Mapped[date] = mapped_column(Date)
    url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<PressReview {self.id} {self.outlet}>"

    def paragraphs(self) -> list[str]:
        """Return the quotation's paragraphs (blank lines separate them)."""
        return [p.strip() for p in self.quote.split("\n\n") if p.strip()]
