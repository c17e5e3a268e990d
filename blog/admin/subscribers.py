"""Subscribers and the outbox in the desk: counts per site and language, recent mailings,
the messages that failed (tried again on demand)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import clock, db, mail
from ..models import Post
from ..sites import registry
from ..subscriptions import service
from ..subscriptions.models import Mailing, MailingStatus

bp = Blueprint("subscribers", __name__, url_prefix="/subscribers")
RECENT_MAILINGS = 20


@bp.get("/")
def index():
    session = db.session()
    counts = service.counts(session)
    rows = []
    for site in registry():
        choices = ["", *site.languages] if len(site.languages) > 1 else [""]
        for language in choices:
            found = counts.get((site.key, language), {"confirmed": 0, "pending": 0})
            rows.append((site, language, found["confirmed"], found["pending"]))
    mailings = session.execute(
        select(Mailing, Post.title, Post.id)
        .join(Post, Post.id == Mailing.post_id)
        .where(Mailing.status != MailingStatus.SKIPPED)
        .order_by(Mailing.sent_at.desc().nulls_first(), Post.id.desc())
        .limit(RECENT_MAILINGS)
    )
    return render_template(
        "admin/subscribers.html",
        rows=rows,
        mailings=list(mailings),
        outbox=mail.counts(session),
        failures=mail.failures(session),
        configured=mail.configured(current_app.config),
        retried=request.args.get("retried", type=int),
    )


@bp.post("/retry")
def retry():
    """Give every failed message a new round of attempts, due now."""
    session = db.session()
    again = mail.retry_failed(session, None, clock.now())
    session.commit()
    return redirect(url_for("admin.subscribers.index", retried=again))
