"""The emails forms send, through the configured SMTP server (mail.py), after the commit: to
the authors for a new message or registration, to a reader for their registration (with the
link to cancel it) and when the waiting list gives them a seat. No SMTP server, no email; a
failing one costs the email (logged), never what the reader sent."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import mail
from ..models import User
from ..sites import Site
from ..urls import site_url
from . import service
from .models import ContactMessage, Registration, RegistrationStatus, SignupForm


def state_label(status: str) -> str:
    """Return a registration's status in a word or two (the desk, the CSV export, emails)."""
    return {
        RegistrationStatus.CONFIRMED: _("confirmed"),
        RegistrationStatus.WAITING: _("waiting list"),
        RegistrationStatus.HELD: _("held for review"),
    }.get(status, status)


def state_sentence(status: str) -> str:
    """Return what a registration's status means to the reader."""
    if status == RegistrationStatus.CONFIRMED:
        return _("Your seat is confirmed.")
    if status == RegistrationStatus.WAITING:
        return _(
            "All seats are taken: you are on the waiting list. We will write to you if a "
            "seat becomes free."
        )
    return _("Your registration will be confirmed by the organisers.")


def _authors(session: Session) -> list[str]:
    return list(session.scalars(select(User.email)))


def message_sent(session: Session, site: Site, language: str, message: ContactMessage) -> None:
    """Tell the authors of a new contact message."""
    settings = current_app.config
    if not settings["MAIL_SERVER"]:
        return
    desk = site_url(site, "admin.readerforms.message", message_id=message.id)
    body = "\n\n".join(
        [
            _("%(name)s <%(email)s> wrote through the contact page of %(site)s:",
              name=message.name, email=message.email, site=site.title_in(language)),
            message.subject,
            message.message,
            _("Read it in the desk: %(url)s", url=desk),
        ]
    )  # fmt: skip
    subject = _("Message from %(name)s: %(subject)s", name=message.name, subject=message.subject)
    mail.send(settings, _authors(session), subject, body)


def registered(
    session: Session, site: Site, signup: SignupForm, registration: Registration
) -> None:
    """Tell the authors of a registration (unless held), and the reader of its state."""
    settings = current_app.config
    if not settings["MAIL_SERVER"]:
        return
    if registration.status != RegistrationStatus.HELD:
        desk = site_url(site, "admin.readerforms.registrations", form_id=signup.id)
        body = "\n\n".join(
            [
                _("%(name)s <%(email)s> registered for “%(title)s” (%(state)s).",
                  name=registration.name, email=registration.email, title=signup.title,
                  state=state_label(registration.status)),
                registration.message,
                _("Registrations: %(url)s", url=desk),
            ]
        )  # fmt: skip
        subject = _("Registration: %(title)s", title=signup.title)
        mail.send(settings, _authors(session), subject, body)
    tell_reader(site, signup, registration)


def tell_reader(site: Site, signup: SignupForm, registration: Registration) -> None:
    """Tell a reader the state of their registration, with the link to cancel it."""
    settings = current_app.config
    if not settings["MAIL_SERVER"]:
        return
    token = service.registration_token(settings["SECRET_KEY"], registration.id)
    link = site_url(site, "public.cancel_registration", registration.language, token=token)
    body = "\n\n".join(
        [
            _("Thank you for registering for “%(title)s”.", title=signup.title),
            state_sentence(registration.status),
            _("To cancel your registration (and erase what you sent), open: %(url)s", url=link),
        ]
    )
    subject = _("Your registration: %(title)s", title=signup.title)
    mail.send(settings, [registration.email], subject, body)


def promoted(site: Site | None, signup: SignupForm, registrations: list[Registration]) -> None:
    """Tell the readers the waiting list just gave a seat."""
    if site is None:
        return
    for registration in registrations:
        tell_reader(site, signup, registration)
