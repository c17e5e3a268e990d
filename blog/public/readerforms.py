"""Readers' forms: the contact page of a site, a sign-up form's page, a registration's
cancellation. Both forms work without JavaScript; a refused one comes back with the text
intact and the reason, in the page's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, request
from flask_babel import format_date, format_time
from sqlalchemy import select

from .. import db
from ..models import Kind
from ..readerforms import notices, service
from ..readerforms.models import (
    FormState,
    MessageStatus,
    Registration,
    RegistrationStatus,
    SignupForm,
)
from ..readerforms.service import FormRefusal, ReaderForm
from ..sections.models import Talk
from ..sites import Reading
from ..urls import site_path
from . import now, route
from .comments import same_site, signed_form
from .pages import render, show_post


def _address() -> str:
    return request.remote_addr or ""


def _contact_page(reading: Reading, form: ReaderForm, status: int = 200):
    """Show the contact page: the site's page « contact » if it has one, then the form."""
    site, language = reading.site, reading.language
    secret = current_app.config["SECRET_KEY"]
    contact = {
        "contact_form": form,
        "contact_token": service.form_token(secret, service.contact_scope(site.key), now()),
        "contact_action": site_path(site, "public.send_contact", language),
        "contact_sent": status == 200 and request.args.get("sent") == "1",
    }
    return show_post(reading, (Kind.PAGE,), "contact", contact=contact, status=status)


@route("/contact/", endpoint="contact")
def contact(reading: Reading):
    if not reading.site.contact:
        return show_post(reading, (Kind.PAGE,), "contact")  # an ordinary page, if any
    return _contact_page(reading, ReaderForm())


@route("/contact/", methods=["POST"], endpoint="send_contact")
@signed_form
def send_contact(reading: Reading):
    """Take a reader's message: refused (the form back, text intact), or stored and notified."""
    site = reading.site
    if not site.contact:
        abort(404)
    form = ReaderForm.from_form(request.form)
    if not same_site(site):
        form.refuse(FormRefusal.ELSEWHERE)
        return _contact_page(reading, form, 422)
    session = db.session()
    settings = current_app.config
    message, refusal = service.send_message(
        session, site.key, reading.language, form, address=_address(), now=now(), settings=settings
    )
    if refusal is not None:
        session.rollback()
        form.refuse(refusal)
        return _contact_page(reading, form, 422)
    session.commit()
    if message.status == MessageStatus.NEW:
        notices.message_sent(session, site, reading.language, message)
    return redirect(site_path(site, "public.contact", reading.language) + "?sent=1#contact-sent")


def _signup_or_404(reading: Reading, slug: str) -> SignupForm:
    found = (
        db.session()
        .scalars(
            select(SignupForm).where(
                SignupForm.slug == slug,
                SignupForm.site == reading.site.key,
                SignupForm.state != FormState.DRAFT,
            )
        )
        .first()
    )
    if found is None:
        abort(404)
    return found


def _local(moment: datetime) -> str:
    """Return a time as the page shows it: a date and an hour, in the site's time zone."""
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    day = format_date(local, "full", rebase=False)
    return f"{day}, {format_time(local, 'short', rebase=False)}"


def _signup_page(reading: Reading, signup: SignupForm, form: ReaderForm, status: int = 200):
    site, language, session = reading.site, reading.language, db.session()
    secret = current_app.config["SECRET_KEY"]
    registered = None
    token = request.args.get("r", "")[:80] if status == 200 else ""
    ident = service.registration_of(secret, token) if token else None
    if ident is not None:
        registered = session.get(Registration, ident)
        if registered is not None and registered.form_id != signup.id:
            registered = None
    talk = session.get(Talk, signup.talk_id) if signup.talk_id else None
    if talk is not None and not talk.published:
        talk = None
    taken = service.seats_taken(session, signup.id)
    page = render(
        reading,
        "public/signup.html",
        signup=signup,
        talk=talk,
        talk_when=_local(talk.starts_at) if talk else "",
        closes_when=_local(signup.closes_at) if signup.closes_at else "",
        talks_path=site_path(site, "public.talks", language) if site.kind == "book" else "",
        seats_left=max(signup.capacity - taken, 0),
        accepting=signup.accepts(now()),
        signup_form=form,
        signup_token=service.form_token(secret, service.signup_scope(signup.id), now()),
        signup_action=site_path(site, "public.register", language, slug=signup.slug),
        registered=registered,
        cancel_path=site_path(site, "public.cancel_registration", language, token=token)
        if registered is not None
        else "",
        RegistrationStatus=RegistrationStatus,
    )
    response = current_app.make_response((page, status))
    if registered is not None:
        # It names one reader: no shared cache (nginx's micro-cache, a CDN) may keep it.
        response.cache_control.private = response.cache_control.no_store = True
    return response


@route("/inscription/<slug:slug>/", endpoint="signup")
def signup(reading: Reading, slug: str):
    return _signup_page(reading, _signup_or_404(reading, slug), ReaderForm())


@route("/inscription/<slug:slug>/", methods=["POST"], endpoint="register")
@signed_form
def register(reading: Reading, slug: str):
    """Take a registration: a seat, the waiting list, or the form back with the reason."""
    site = reading.site
    signup = _signup_or_404(reading, slug)
    form = ReaderForm.from_form(request.form)
    if not same_site(site):
        form.refuse(FormRefusal.ELSEWHERE)
        return _signup_page(reading, signup, form, 422)
    if not signup.accepts(now()):
        form.refuse(FormRefusal.CLOSED)
        return _signup_page(reading, signup, form, 422)
    session = db.session()
    settings = current_app.config
    registration, refusal = service.register(
        session,
        signup,
        form,
        language=reading.language,
        address=_address(),
        now=now(),
        settings=settings,
    )
    if refusal is not None:
        session.rollback()
        form.refuse(refusal)
        return _signup_page(reading, signup, form, 422)
    session.commit()
    token = service.registration_token(settings["SECRET_KEY"], registration.id)
    notices.registered(session, site, signup, registration)
    target = site_path(site, "public.signup", reading.language, slug=signup.slug)
    return redirect(f"{target}?r={token}#registered")


@route("/inscription/annulation/<token>", methods=["GET", "POST"], endpoint="cancel_registration")
@signed_form
def cancel_registration(reading: Reading, token: str):
    """Let a reader cancel their registration by the link they were given (asks first)."""
    ident = service.registration_of(current_app.config["SECRET_KEY"], token[:80])
    session = db.session()
    found = session.get(Registration, ident) if ident is not None else None
    signup = session.get(SignupForm, found.form_id) if found is not None else None
    if found is None or signup is None or signup.site != reading.site.key:
        return render(reading, "public/signup_cancel.html", cancelled=True)
    if request.method == "POST":
        if not same_site(reading.site):
            abort(400)
        promoted = service.remove(session, found)
        session.commit()
        notices.promoted(reading.site, signup, promoted)
        return render(reading, "public/signup_cancel.html", cancelled=True)
    response = current_app.make_response(
        render(reading, "public/signup_cancel.html", registration=found, signup=signup)
    )
    response.cache_control.private = response.cache_control.no_store = True
    return response
