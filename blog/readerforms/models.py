"""The tables of contact messages, sign-up forms and registrations, on the store's metadata.

A reader's message or registration changes no public page (no page shows them, and the
sign-up page, which counts seats, is never cached), nor does a sign-up form (its page and the
talks' page are not cached): none of these writes advances the store state (changes_no_page).
"""

from __future__ import annotations

import enum
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .. import rendering
from ..models import SLUG_MAX, Base, UTCDateTime, utcnow

NAME_MAX = 100
EMAIL_MAX = 254
SUBJECT_MAX = 200
TITLE_MAX = 300


class MessageStatus(enum.StrEnum):
    NEW = "new"
    HANDLED = "handled"
    # Held by the spam checks (blocklist, links, spam words): not notified, kept apart.
    SUSPECT = "suspect"


class FormState(enum.StrEnum):
    """Whether readers see a sign-up form, and may register."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    # Held by the spam checks: takes no seat until an author admits it.
    HELD = "held"


class _NoPage:
    def changes_no_page(self) -> bool:
        return True


class ContactMessage(_NoPage, Base):
    """A message a reader sent through a site's contact page."""

    __tablename__ = "contact_message"
    __table_args__ = (
        Index("ix_contact_message_status_created", "status", "created_at"),
        Index("ix_contact_message_address_hash", "address_hash", "created_at"),
        Index("ix_contact_message_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.NEW)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), default="")
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For the rate limit, erased after COMMENTS_ADDRESS_DAYS (like a comment's).
    address_hash: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<ContactMessage {self.id} {self.status}>"


class SignupForm(_NoPage, Base):
    """A sign-up form for a seminar or a talk: so many seats, then a waiting list."""

    __tablename__ = "signup_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    # The site whose readers see it (its key in the sites file).
    site: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # Markdown, and its HTML rendered at save time (rendering.py).
    description: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=FormState.DRAFT)
    # Registrations close at this time, if set, even while the form is open.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    talk_id: Mapped[int | None] = mapped_column(
        ForeignKey("talk.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<SignupForm {self.id} {self.slug}>"

    def set_description(self, source: str, language: str) -> None:
        """Set the Markdown description and its HTML (in its site's default language).

        Raises rendering.RenderError, whose message says why, when the text cannot be shown."""
        self.description = source
        self.html = rendering.render(source, language).html if source else ""

    @property
    def body(self) -> Markup:
        return rendering.stored_markup(self.html)

    @property
    def shown(self) -> bool:
        return self.state != FormState.DRAFT

    def accepts(self, now: datetime) -> bool:
        """Say whether readers may register at `now` (open, and not past its closing time)."""
        return self.state == FormState.OPEN and (self.closes_at is None or now < self.closes_at)


class Registration(_NoPage, Base):
    """A reader's registration to a sign-up form: a seat, a place on the waiting list, or held."""

    __tablename__ = "registration"
    __table_args__ = (
        Index("ix_registration_form_status_created", "form_id", "status", "created_at"),
        Index("ix_registration_address_hash", "address_hash", "created_at"),
        Index("ix_registration_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("signup_form.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    message: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address_hash: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<Registration {self.id} to {self.form_id} {self.status}>"
