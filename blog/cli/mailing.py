"""The mail sender's command: one run, for cron (or a loop, for a service manager)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import clock, db, mail, sender
from ..operations import store_command


@click.command("send-mail")
@click.option("--retry-failed", is_flag=True, help="First give failed messages a new round.")
@click.option(
    "--every",
    type=click.IntRange(1, 3600),
    help="Run again every N seconds, until stopped (instead of once).",
)
@with_appcontext
@store_command
def send_mail(retry_failed: bool, every: int | None) -> None:
    """Queue the posts due to subscribers and send the outbox's due messages (with retries)."""
    if not mail.configured(current_app.config):
        raise click.ClickException("No SMTP server is configured (BLOG_MAIL_SERVER).")
    if retry_failed:
        session = db.session()
        again = mail.retry_failed(session, None, clock.now())
        session.commit()
        click.echo(f"{again} failed messages will be tried again.")
    while True:
        delivery = sender.run_once()
        waiting = mail.counts(db.session())[mail.MessageStatus.WAITING]
        db.session().commit()
        click.echo(
            f"{delivery.sent} sent, {delivery.failed} failed (retried later), {waiting} waiting."
        )
        if every is None:
            return
        time.sleep(every)
