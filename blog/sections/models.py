"""The tables of the book site's sections, on the store's metadata (models.Base).

They are not posts: a talk is a dated event, a press review a quotation of someone else's
text, so they carry the fields their pages and structured data need and nothing of a post's
translation groups or publications. Each has a `published` flag; readers see published rows
only. Writes advance the store state like any other (rules.install), so cached pages follow.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, utcnow

URL_MAX = 500
NAME_MAX = 200
FILE_MAX = 300


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


class PressFileKind(enum.StrEnum):
    """What a file of the press kit is, as its page groups and names it."""

    PRESS_RELEASE = "press_release"
    SUMMARY = "summary"
    IMAGE = "image"
    BIOGRAPHY = "biography"
    OTHER = "other"


class PressFile(Base):
    """A file of the press kit: a title, a short description, a credit, and the file itself.

    `file` is the file's name in the media folder (its address is /media/<file>).
    """

    __tablename__ = "press_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default=PressFileKind.OTHER)
    credit: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    file: Mapped[str] = mapped_column(String(FILE_MAX))
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Chapter(Base):
    """A chapter of the book: its number, title and summary, and its slides to download."""

    __tablename__ = "chapter"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The slides' file name in the media folder (PDF, ODP or PPTX), or "".
    slides: Mapped[str] = mapped_column(String(FILE_MAX), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def paragraphs(self) -> list[str]:
        """Return the summary's paragraphs (blank lines separate them)."""
        return [p.strip() for p in self.summary.split("\n\n") if p.strip()]
