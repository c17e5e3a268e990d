"""Following a site by email: the subscribe form, the confirmation link, unsubscribing."""

from __future__ import annotations

from flask import abort, current_app, request

from .. import db, mail
from ..sites import Reading
from ..subscriptions import service
from . import now, route
from .comments import same_site, signed_form
from .pages import render

TEMPLATE = "public/subscription.html"


def _form_page(reading: Reading, status: int = 200, **context):
    site = reading.site
    context.setdefault("email", "")
    context.setdefault("chosen", reading.language if len(site.languages) > 1 else "")
    token = service.form_token(current_app.config["SECRET_KEY"], site.key, now())
    return render(reading, TEMPLATE, step="form", token=token, **context), status


@route("/subscribe", methods=["GET", "POST"], endpoint="subscribe")
@signed_form
def subscribe(reading: Reading):
    """Show the subscribe form; take a subscription (refused: the form back, address intact)."""
    settings = current_app.config
    if not mail.configured(settings):
        abort(404)
    if request.method == "GET":
        return _form_page(reading)
    site, form = reading.site, request.form
    email = form.get("email", "").strip()[:500]
    language = form.get("language", "")[:16]
    if not same_site(site):
        refusal = service.Refusal.ELSEWHERE
    else:
        session = db.session()
        refusal = service.subscribe(
            session,
            site,
            language,
            email,
            token=form.get("token", ""),
            honeypot=form.get("homepage", ""),
            address=request.remote_addr or "",
            now=now(),
            settings=settings,
        )
        if refusal is None:
            session.commit()
            return render(reading, TEMPLATE, step="asked", email=email)
        session.rollback()
    return _form_page(reading, 422, email=email, chosen=language, error=str(refusal.value))


@route("/subscribe/confirm/<token>", methods=["GET", "POST"], endpoint="confirm_subscription")
@signed_form
def confirm_subscription(reading: Reading, token: str):
    """Ask, then confirm a subscription by the link its confirmation message gave."""
    session = db.session()
    found = service.find(session, current_app.config["SECRET_KEY"], token, service.CONFIRM)
    if found is None:
        return render(reading, TEMPLATE, step="unknown"), 404
    if request.method == "POST":
        service.confirm(found, now())
        session.commit()
        return render(reading, TEMPLATE, step="confirmed", email=found.email)
    return render(reading, TEMPLATE, step="confirm", email=found.email)


@route("/unsubscribe/<token>", methods=["GET", "POST"], endpoint="unsubscribe")
@signed_form
def unsubscribe(reading: Reading, token: str):
    """Ask, then unsubscribe: the link of each mailing, and its one-click POST (RFC 8058)."""
    session = db.session()
    found = service.find(session, current_app.config["SECRET_KEY"], token, service.UNSUBSCRIBE)
    if request.method == "POST":
        if found is not None:
            service.unsubscribe(session, found)
            session.commit()
        return render(reading, TEMPLATE, step="unsubscribed")
    if found is None:
        return render(reading, TEMPLATE, step="unsubscribed")
    return render(reading, TEMPLATE, step="unsubscribe", email=found.email)
