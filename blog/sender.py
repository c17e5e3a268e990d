"""The sender: one run queues the mailings that came due and delivers the outbox.

A run (`run_once`) queues the planned mailings of posts that readers can now see (so a
scheduled post goes out at the first run after it comes due), sends every due message of the
outbox (mail.deliver_due, with its retries), and forgets what has served: sent messages after
MAIL_KEEP_DAYS, subscriptions left unconfirmed after SUBSCRIPTIONS_CONFIRM_DAYS.

Runs come from `flask --app app send-mail` (cron, every minute), from a thread each web
process starts at its first request when MAIL_SENDER is "thread" (the default), or both:
the thread runs at once when a request commits a message, and every MAIL_POLL_SECONDS
otherwise. Senders running at once share the work without sending anything twice.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from . import clock, db, mail
from .sites import registry
from .subscriptions import service as subscriptions

logger = logging.getLogger(__name__)
_STARTING = threading.Lock()


def run_once() -> mail.Delivery:
    """Queue due mailings, deliver due messages, forget old ones (in the app's context)."""
    settings = current_app.config
    if not mail.configured(settings):
        return mail.Delivery()
    session = db.session()
    now = clock.now()
    subscriptions.queue_due(session, registry(), now, settings)
    delivery = mail.deliver_due(session, settings, now)
    mail.forget_sent(session, now, settings)
    subscriptions.forget(session, now, settings)
    session.commit()
    return delivery


def _loop(app: Flask, wake: threading.Event, stopping: threading.Event) -> None:
    while not stopping.is_set():
        wake.wait(timeout=app.config["MAIL_POLL_SECONDS"])
        wake.clear()
        if stopping.is_set():
            return
        try:
            with app.app_context():
                run_once()
        except Exception:  # the thread must outlive a bad run (the database restarting…)
            logger.exception("The mail sender's run failed; it runs again later.")


def start(app: Flask) -> None:
    """Start this process's sender thread, once, if the configuration asks for one."""
    if app.extensions.get("mail_sender") is not None:
        return
    with _STARTING:
        if app.extensions.get("mail_sender") is not None:
            return
        thread = threading.Thread(
            target=_loop,
            args=(app, app.extensions["mail_wake"], app.extensions["mail_stop"]),
            name="mail-sender",
            daemon=True,
        )
        app.extensions["mail_sender"] = thread
        thread.start()


def stop(app: Flask) -> None:
    """Stop this process's sender thread, if it runs, after its current run."""
    thread = app.extensions.get("mail_sender")
    if thread is not None:
        app.extensions["mail_stop"].set()
        app.extensions["mail_wake"].set()
        thread.join(timeout=app.config["MAIL_TIMEOUT"] * 2)


def init_app(app: Flask) -> None:
    """Give the app its wake-up event, and start the thread at the first request if asked."""
    app.extensions["mail_wake"] = threading.Event()
    app.extensions["mail_stop"] = threading.Event()
    if app.config["MAIL_SENDER"] not in ("thread", "command"):
        raise ValueError('MAIL_SENDER must be "thread" or "command".')

    def start_sender() -> None:
        if app.config["MAIL_SENDER"] == "thread" and mail.configured(app.config):
            start(app)

    app.before_request(start_sender)
