"""The tables of the book site's sections, on the store's metadata (models.Base).

They are not posts: a talk is a dated event, a press review a quotation of someone else's
text, so they carry the fields their pages and structured data need and nothing of a post's
translation groups or publications; a work inspired by the book has images of its own rows.
Each has a `published` flag; readers see published rows only. Writes advance the store
state like any other (rules.install), so cached pages follow.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import posters, rendering
from ..models import SLUG_MAX, Base, UTCDateTime, utcnow

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


class Work(Base):
    """A work inspired by the book (« Les liaisons artistiques »): an artist's piece answering
    a chapter, with its images, an optional recording (a video or audio file of the media
    folder, with its transcript, or a link) and a text in Markdown, rendered when it is set."""

    __tablename__ = "work"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    artist: Mapped[str] = mapped_column(String(NAME_MAX))
    chapter_id: Mapped[int | None] = mapped_column(
        ForeignKey("chapter.id", ondelete="SET NULL"), index=True
    )
    # A video or audio file of the media folder (MP4, WebM, MP3, OGG, M4A, WAV), or "".
    media: Mapped[str] = mapped_column(String(FILE_MAX), default="")
    transcript: Mapped[str] = mapped_column(Text, default="")
    # The recording elsewhere (a video platform, a radio's page), or "".
    link: Mapped[str] = mapped_column(String(URL_MAX), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Loaded with the work in one more statement for all the works a query returns.
    images: Mapped[list[WorkImage]] = relationship(
        order_by="WorkImage.position",
        cascade="all, delete-orphan",
        lazy="selectin",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Work {self.id} {self.slug}>"

    def set_source(self, source: str, rendered: rendering.Rendered | None = None) -> None:
        """Set the Markdown text and its HTML, rendered now (French: the book site's language).

        Raises rendering.RenderError, whose message says why, when the text cannot be shown."""
        if rendered is None or rendered.source != source:
            rendered = rendering.render(source, "fr", posters=posters.stored(source))
        self.source, self.html = source, rendered.html

    @property
    def body(self) -> Markup:
        """Return the stored, sanitized HTML of the text."""
        return rendering.stored_markup(self.html)

    def set_images(self, images: list[tuple[str, str, int, int]]) -> None:
        """Replace the images by (file, alt text, width, height), in this order."""
        self.images = [
            WorkImage(file=file, alt=alt, width=width, height=height, position=n)
            for n, (file, alt, width, height) in enumerate(images)
        ]
        # A change of images alone updates no column of the work: date it all the same.
        self.updated_at = utcnow()

    def transcript_paragraphs(self) -> list[str]:
        """Return the transcript's paragraphs (blank lines separate them)."""
        return [p.strip() for p in self.transcript.split("\n\n") if p.strip()]


class WorkImage(Base):
    """An image of a work: a file of the media folder, its size and its (required) alt text."""

    __tablename__ = "work_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    file: Mapped[str] = mapped_column(String(FILE_MAX))
    alt: Mapped[str] = mapped_column(String(500))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def url(self) -> str:
        return f"/media/{self.file}"
