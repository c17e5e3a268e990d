"""Contact messages and registrations written, judged and moderated: one home for each change.

The spam checks are the comments' (comments/spam.py: honeypot, minimum time to fill, a signed
form token, rate limit per address hash, link limit, the desk's blocklist), run on what a
reader typed here; only the words of the refusals are this module's. A form's token is the
comments' signed token (comments/service.py), scoped to the contact page of a site or to one
sign-up form, so that it stands in for a per-session CSRF token on a page served to everyone.

Seats are counted under a lock on the sign-up form's row (SELECT … FOR UPDATE on PostgreSQL;
on SQLite a writing session holds the database's write lock from its first statement, db.py),
so two readers registering for the last seat at once never both get it.
"""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from ..comments import service as comments
from ..comments import spam
from ..comments.spam import Action, Refusal, Signals
from ..fields import parse_int
from .models import (
    EMAIL_MAX,
    NAME_MAX,
    SUBJECT_MAX,
    ContactMessage,
    FormState,
    MessageStatus,
    Registration,
    RegistrationStatus,
    SignupForm,
)


class FormRefusal(enum.Enum):
    """Why a reader's form came back, each with the message they read (their text is kept)."""

    EXPIRED = _l("This form has expired. Please send it again.")
    TOO_SOON = _l("That was quick! Please read the form over and send it again.")
    ROBOT = _l("Your form could not be accepted.")
    TOO_OFTEN = _l("You have sent many forms in a short time. Please wait a few minutes.")
    TOO_MANY_LINKS = _l("Your message holds too many links. Please keep a few.")
    MISSING_CONTACT = _l("Please write your name, your email address and your message.")
    MISSING_SIGNUP = _l("Please write your name and your email address.")
    TOO_LONG = _l("Your message is too long. Please shorten it.")
    BAD_EMAIL = _l("This email address does not look right.")
    CONSENT = _l("Please tick the box to agree that we keep what you send.")
    CLOSED = _l("Registrations are closed.")
    ALREADY = _l("This email address is already registered.")
    ELSEWHERE = _l("This form was sent from another site.")


# The comments' refusals that a form can meet, in this module's words.
_FROM_SPAM = {
    Refusal.EXPIRED: FormRefusal.EXPIRED,
    Refusal.TOO_SOON: FormRefusal.TOO_SOON,
    Refusal.ROBOT: FormRefusal.ROBOT,
    Refusal.TOO_OFTEN: FormRefusal.TOO_OFTEN,
    Refusal.TOO_MANY_LINKS: FormRefusal.TOO_MANY_LINKS,
}


@dataclass
class ReaderForm:
    """What a reader typed in a contact or sign-up form, kept whole to be given back."""

    name: str = ""
    email: str = ""
    subject: str = ""
    message: str = ""
    consent: bool = False
    token: str = ""
    honeypot: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_form(cls, form) -> ReaderForm:
        return cls(
            name=form.get("name", "").strip()[: NAME_MAX * 2],
            email=form.get("email", "").strip()[: EMAIL_MAX * 2],
            subject=form.get("subject", "").strip()[: SUBJECT_MAX * 2],
            message=form.get("message", "").replace("\r\n", "\n").strip()[:100_000],
            consent=form.get("consent") == "yes",
            token=form.get("token", "")[:100],
            honeypot=form.get("homepage", ""),
        )

    def refuse(self, refusal: FormRefusal) -> None:
        self.errors = [str(refusal.value)]


def contact_scope(site_key: str) -> str:
    """Return what a contact page's token is signed for (never a post id: no digits only)."""
    return f"contact:{site_key}"


def signup_scope(form_id: int) -> str:
    return f"signup:{form_id}"


def form_token(secret: str, scope: str, now: datetime) -> str:
    """Return the token of a form made at `now` (the comments' token, for this scope)."""
    return comments.form_token(secret, scope, now)


def registration_token(secret: str, registration_id: int) -> str:
    """Return the token of the link by which a reader sees and cancels their registration."""
    return comments.removal_token(secret, f"registration:{registration_id}")


def registration_of(secret: str, token: str) -> int | None:
    """Return the registration id a token names, or None."""
    ident, _, signature = token.partition(".")
    prefix, _, number = ident.partition(":")
    registration_id = parse_int(number)
    if prefix != "registration" or registration_id is None:
        return None
    expected = registration_token(secret, registration_id)
    if not hmac.compare_digest(expected, f"registration:{number}.{signature}"):
        return None
    return registration_id


def check_fields(form: ReaderForm, contact: bool, max_length: int) -> FormRefusal | None:
    """Return why the fields themselves cannot be stored, or None."""
    if not form.name or not form.email or (contact and not form.message):
        return FormRefusal.MISSING_CONTACT if contact else FormRefusal.MISSING_SIGNUP
    if (
        len(form.name) > NAME_MAX
        or len(form.subject) > SUBJECT_MAX
        or len(form.message) > max_length
    ):
        return FormRefusal.TOO_LONG
    if len(form.email) > EMAIL_MAX or not comments.EMAIL.match(form.email):
        return FormRefusal.BAD_EMAIL
    if not form.consent:
        return FormRefusal.CONSENT
    return None


# What readers send through the forms: rate-limited and purged together.
SENT = (ContactMessage, Registration)


def purge(session: Session, now: datetime, settings: dict) -> None:
    """Delete what readers sent more than FORMS_KEEP_DAYS ago, and erase address hashes older
    than COMMENTS_ADDRESS_DAYS (they have served the rate limit)."""
    connection = session.connection()  # Core: none of this changes a page
    kept = now - timedelta(days=settings["FORMS_KEEP_DAYS"])
    for model in SENT:
        connection.execute(delete(model.__table__).where(model.__table__.c.created_at < kept))
    hashed = now - timedelta(days=settings["COMMENTS_ADDRESS_DAYS"])
    comments.forget_addresses(session, hashed, SENT)


def judge(
    session: Session,
    form: ReaderForm,
    scope: str,
    *,
    address: str,
    now: datetime,
    settings: dict,
) -> tuple[spam.Verdict, str]:
    """Return the comments' verdict on a reader's form, and the address hash to keep."""
    secret = settings["SECRET_KEY"]
    hashed = comments.address_hash(secret, address)
    purge(session, now, settings)
    window = now - timedelta(seconds=settings["COMMENTS_RATE_WINDOW"])
    signals = Signals(
        honeypot=form.honeypot,
        age=comments.token_age(secret, form.token, scope, now),
        recent=comments.recent_from(session, hashed, window, SENT),
        known=True,  # the comments' first-time hold is for a public text; nothing is shown here
        address=address,
    )
    text = f"{form.subject}\n{form.message}"
    verdict = spam.judge(
        form.name, form.email, "", text, signals, settings, comments.blocklist(session)
    )
    return verdict, hashed


def send_message(
    session: Session,
    site_key: str,
    language: str,
    form: ReaderForm,
    *,
    address: str,
    now: datetime,
    settings: dict,
) -> tuple[ContactMessage | None, FormRefusal | None]:
    """Judge a contact message and store it unless refused; the caller commits.

    A message the spam checks hold is stored as suspect (kept apart in the desk, not notified).
    """
    refusal = check_fields(form, True, settings["FORMS_MESSAGE_MAX_LENGTH"])
    if refusal is not None:
        return None, refusal
    verdict, hashed = judge(
        session, form, contact_scope(site_key), address=address, now=now, settings=settings
    )
    if verdict.action == Action.REFUSE:
        return None, _FROM_SPAM.get(verdict.refusal, FormRefusal.ROBOT)
    held = verdict.action == Action.HOLD
    message = ContactMessage(
        site=site_key,
        language=language,
        status=MessageStatus.SUSPECT if held else MessageStatus.NEW,
        name=form.name,
        email=form.email,
        subject=form.subject,
        message=form.message,
        created_at=now,
        address_hash=hashed,
    )
    session.add(message)
    session.flush()
    return message, None


def locked(session: Session, form_id: int) -> SignupForm | None:
    """Return a sign-up form with its row locked until the transaction ends (PostgreSQL; on
    SQLite a writing session holds the database's write lock already)."""
    found = select(SignupForm).where(SignupForm.id == form_id).with_for_update()
    return session.scalars(found.execution_options(populate_existing=True)).first()


def signup_forms_of(site_key: str, talk_ids: list[int]) -> Select:
    """Return the sign-up forms of a site linked to these talks, shown to readers."""
    return select(SignupForm).where(
        SignupForm.site == site_key,
        SignupForm.talk_id.in_(talk_ids),
        SignupForm.state != FormState.DRAFT,
    )


def shown_signup_slugs(site_key: str) -> Select:
    """Return the slugs of a site's sign-up forms that readers see (open or closed)."""
    return (
        select(SignupForm.slug)
        .where(SignupForm.site == site_key, SignupForm.state != FormState.DRAFT)
        .order_by(SignupForm.slug)
    )


def seats_taken(session: Session, form_id: int) -> int:
    found = select(func.count()).where(
        Registration.form_id == form_id, Registration.status == RegistrationStatus.CONFIRMED
    )
    return session.scalar(found) or 0


def counts(session: Session) -> dict[int, dict[str, int]]:
    """Return the number of registrations of each form, by status (one statement)."""
    found: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(Registration.form_id, Registration.status, func.count()).group_by(
            Registration.form_id, Registration.status
        )
    )
    for form_id, status, number in rows:
        found.setdefault(form_id, {})[status] = number
    return found


def register(
    session: Session,
    signup: SignupForm,
    form: ReaderForm,
    *,
    language: str,
    address: str,
    now: datetime,
    settings: dict,
) -> tuple[Registration | None, FormRefusal | None]:
    """Judge a registration and store it: a seat while there is one, else the waiting list;
    held (no seat) when the spam checks hold it. The caller commits, which frees the lock."""
    refusal = check_fields(form, False, settings["FORMS_MESSAGE_MAX_LENGTH"])
    if refusal is not None:
        return None, refusal
    verdict, hashed = judge(
        session, form, signup_scope(signup.id), address=address, now=now, settings=settings
    )
    if verdict.action == Action.REFUSE:
        return None, _FROM_SPAM.get(verdict.refusal, FormRefusal.ROBOT)
    signup = locked(session, signup.id)
    if signup is None or not signup.accepts(now):
        return None, FormRefusal.CLOSED
    already = select(Registration.id).where(
        Registration.form_id == signup.id,
        func.lower(Registration.email) == form.email.lower(),
    )
    if session.scalar(already.limit(1)) is not None:
        return None, FormRefusal.ALREADY
    if verdict.action == Action.HOLD:
        status = RegistrationStatus.HELD
    elif seats_taken(session, signup.id) < signup.capacity:
        status = RegistrationStatus.CONFIRMED
    else:
        status = RegistrationStatus.WAITING
    registration = Registration(
        form_id=signup.id,
        status=status,
        name=form.name,
        email=form.email,
        message=form.message,
        language=language,
        created_at=now,
        address_hash=hashed,
    )
    session.add(registration)
    session.flush()
    return registration, None


def fill_seats(session: Session, form_id: int) -> list[Registration]:
    """Give the free seats of a form to its waiting list, first come first served; return
    the registrations that got one (to be told)."""
    signup = locked(session, form_id)
    if signup is None:
        return []
    free = signup.capacity - seats_taken(session, form_id)
    if free <= 0:
        return []
    waiting = session.scalars(
        select(Registration)
        .where(Registration.form_id == form_id, Registration.status == RegistrationStatus.WAITING)
        .order_by(Registration.created_at, Registration.id)
        .limit(free)
    ).all()
    for registration in waiting:
        registration.status = RegistrationStatus.CONFIRMED
    session.flush()
    return list(waiting)


def admit(session: Session, registration: Registration) -> bool:
    """Give a held or waiting registration a seat if one is free, else (held) the waiting
    list; return whether it has a seat."""
    signup = locked(session, registration.form_id)
    if seats_taken(session, signup.id) < signup.capacity:
        registration.status = RegistrationStatus.CONFIRMED
    elif registration.status == RegistrationStatus.HELD:
        registration.status = RegistrationStatus.WAITING
    session.flush()
    return registration.status == RegistrationStatus.CONFIRMED


def remove(session: Session, registration: Registration) -> list[Registration]:
    """Delete a registration (for good: the reader's data goes with it); the seat it frees
    goes to the waiting list. Return the registrations that got a seat."""
    form_id = registration.form_id
    session.delete(registration)
    session.flush()
    return fill_seats(session, form_id)


def message_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(ContactMessage.status, func.count()).group_by(ContactMessage.status)
    )
    return dict(rows.all())
