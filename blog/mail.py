"""Email through the configured SMTP server (MAIL_SERVER), by a stored outbox.

Nothing is sent while a request waits: `queue` stores each message (one per recipient) in the
`outbox` table in the caller's transaction, so that a message exists exactly when what it
tells of was committed (a comment, a subscription, an invitation), and `deliver_due` sends
the messages that are due, later, from the sender (sender.py: a thread of the web process or
`flask --app app send-mail` run by cron). A refused or unreachable server costs nothing but
time: the message waits MAIL_RETRY_BASE seconds, then twice as long at each failure (at most
MAIL_RETRY_MAX), and is marked failed after MAIL_MAX_ATTEMPTS tries, kept for the desk to try
again. Several senders (workers, a cron run) may run at once: each message is claimed by one
conditional UPDATE before it is sent, so none goes twice.

A sent message keeps its recipient, subject and time for MAIL_KEEP_DAYS (the desk's log), not
its body: bodies carry one-time links and readers' words.
"""

from __future__ import annotations

import enum
import json
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, has_app_context
from sqlalchemy import Index, Integer, String, Text, delete, event, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import clock, db
from .models import Base, UTCDateTime, utcnow

logger = logging.getLogger(__name__)

RECIPIENT_MAX = 254
SUBJECT_MAX = 300
ERROR_MAX = 500


class MessageStatus(enum.StrEnum):
    WAITING = "waiting"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """A message to one recipient: waiting for its next attempt, sent, or failed for good."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(RECIPIENT_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    # Extra headers as a JSON object (Message-ID, List-Unsubscribe, …).
    headers: Mapped[str] = mapped_column(Text, default="{}")
    # The subscription a mailing goes to (subscriptions.models): unsubscribing deletes its
    # waiting messages. No foreign key: the outbox stands below the subscriptions.
    subscriber_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(ERROR_MAX), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} to {self.recipient} {self.status}>"

    def changes_no_page(self) -> bool:
        return True


def configured(settings) -> bool:
    """Say whether an SMTP server is configured (else no message is queued)."""
    return bool(settings.get("MAIL_SERVER"))


def queue(
    session: Session,
    to: Iterable[str],
    subject: str,
    body: str,
    *,
    headers: dict[str, str] | None = None,
    subscriber_id: int | None = None,
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Store a plain-text message for each recipient, due now; the caller commits."""
    now = now or clock.now()
    queued = []
    for recipient in dict.fromkeys(r.strip() for r in to if r and r.strip()):
        extra = {"Message-ID": make_msgid(domain="blog.invalid"), **(headers or {})}
        message = OutboxMessage(
            recipient=recipient[:RECIPIENT_MAX],
            subject=" ".join(subject.split())[:SUBJECT_MAX],
            body=body,
            headers=json.dumps(extra),
            subscriber_id=subscriber_id,
            created_at=now,
            next_attempt_at=now,
        )
        session.add(message)
        queued.append(message)
    if queued and has_app_context() and not session.info.get("mail_wake"):
        wake = current_app.extensions.get("mail_wake")
        if wake is not None:
            # The sender wakes once the messages are committed, not before.
            session.info["mail_wake"] = True

            def woken(done: Session) -> None:
                done.info.pop("mail_wake", None)
                wake.set()

            event.listen(session, "after_commit", woken, once=True)
    return queued


def send(settings, to: list[str], subject: str, body: str) -> bool:
    """Queue a plain-text message in the current request's or command's session and commit
    it; return whether it was queued (False when no SMTP server is configured).

    Call it once what the message tells of is ready to be committed: it commits the session.
    Code that has its own session and transaction calls `queue` instead.
    """
    if not configured(settings) or not to:
        return False
    session = db.session()
    queue(session, to, subject, body)
    session.commit()
    return True


def retry_delay(settings, attempts: int) -> timedelta:
    """Return how long a message waits after its `attempts`-th failure (doubling, capped)."""
    seconds = settings["MAIL_RETRY_BASE"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings["MAIL_RETRY_MAX"]))


@dataclass
class Delivery:
    """What one run of deliver_due did."""

    sent: int = 0
    failed: int = 0


def _claim(session: Session, now: datetime, settings, limit: int) -> list[OutboxMessage]:
    """Take the due messages no other sender took: each moved past a lease, one UPDATE each."""
    table = OutboxMessage.__table__
    due = session.execute(
        select(table.c.id, table.c.next_attempt_at)
        .where(table.c.status == MessageStatus.WAITING, table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
    ).all()
    lease = now + timedelta(seconds=settings["MAIL_TIMEOUT"] * 3 + 60)
    claimed = []
    for ident, seen in due:
        done = session.connection().execute(
            update(table)
            .where(
                table.c.id == ident,
                table.c.status == MessageStatus.WAITING,
                table.c.next_attempt_at == seen,
            )
            .values(next_attempt_at=lease)
        )
        if done.rowcount == 1:
            claimed.append(ident)
    session.commit()
    if not claimed:
        return []
    found = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(claimed)))
    messages = sorted(found, key=lambda m: claimed.index(m.id))
    # No transaction stays open while the server is asked (on SQLite: no write lock held).
    session.commit()
    return messages


def _email(message: OutboxMessage, settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    for name, value in json.loads(message.headers or "{}").items():
        email[name] = value
    email.set_content(message.body)
    return email


def _connect(settings) -> smtplib.SMTP:
    server = smtplib.SMTP(
        settings["MAIL_SERVER"], settings["MAIL_PORT"], timeout=settings["MAIL_TIMEOUT"]
    )
    try:
        if settings.get("MAIL_STARTTLS"):
            server.starttls()
        if settings.get("MAIL_USERNAME"):
            server.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"] or "")
    except BaseException:
        server.close()
        raise
    return server


def _failed(message: OutboxMessage, error: Exception, now: datetime, settings) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    if message.attempts >= settings["MAIL_MAX_ATTEMPTS"]:
        message.status = MessageStatus.FAILED
        logger.error("A message to %s failed for good (%s).", message.recipient, error)
    else:
        message.next_attempt_at = now + retry_delay(settings, message.attempts)
        logger.warning("A message to %s waits for another try (%s).", message.recipient, error)


def _sent(message: OutboxMessage, now: datetime) -> None:
    message.status = MessageStatus.SENT
    message.sent_at = now
    message.attempts += 1
    message.last_error = ""
    # Bodies carry one-time links and readers' words: kept no longer than needed.
    message.body, message.headers = "", "{}"


def deliver_due(session: Session, settings, now: datetime | None = None, limit: int = 200):
    """Send the messages that are due through one SMTP connection; return a Delivery.

    A message the server refuses, or all of them when it cannot be reached, wait for a later
    try (retry_delay); the others are sent. Each outcome is committed at once.
    """
    result = Delivery()
    if not configured(settings):
        return result
    now = now or clock.now()
    messages = _claim(session, now, settings, limit)
    if not messages:
        return result
    try:
        server = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _failed(message, error, now, settings)
        session.commit()
        result.failed = len(messages)
        return result
    try:
        for position, message in enumerate(messages):
            try:
                server.send_message(_email(message, settings))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                _failed(message, error, now, settings)
                result.failed += 1
            except (OSError, smtplib.SMTPException) as error:
                # The connection is gone: this one failed, the rest go back, untried.
                _failed(message, error, now, settings)
                result.failed += 1
                for untried in messages[position + 1 :]:
                    untried.next_attempt_at = now
                session.commit()
                break
            else:
                _sent(message, now)
                result.sent += 1
            session.commit()
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return result


def forget_sent(session: Session, now: datetime, settings) -> int:
    """Delete the sent messages older than MAIL_KEEP_DAYS; return how many."""
    before = now - timedelta(days=settings["MAIL_KEEP_DAYS"])
    table = OutboxMessage.__table__
    done = session.connection().execute(
        delete(table).where(table.c.status == MessageStatus.SENT, table.c.sent_at < before)
    )
    return done.rowcount or 0


def retry_failed(session: Session, ids: list[int] | None, now: datetime) -> int:
    """Give failed messages (all, or these) a new round of attempts, due now."""
    table = OutboxMessage.__table__
    chosen = update(table).where(table.c.status == MessageStatus.FAILED)
    if ids is not None:
        chosen = chosen.where(table.c.id.in_(ids))
    done = session.connection().execute(
        chosen.values(status=MessageStatus.WAITING, attempts=0, next_attempt_at=now)
    )
    return done.rowcount or 0


def counts(session: Session) -> dict[str, int]:
    """Return how many messages are waiting, sent (still in the log) and failed."""
    table = OutboxMessage.__table__
    rows = session.execute(select(table.c.status, func.count()).group_by(table.c.status))
    found = {status.value: 0 for status in MessageStatus}
    found.update({status: n for status, n in rows})
    return found


def failures(session: Session, limit: int = 50) -> list[OutboxMessage]:
    """Return the messages that failed for good, newest first, and those retrying."""
    waiting_again = (OutboxMessage.status == MessageStatus.FAILED) | (
        (OutboxMessage.status == MessageStatus.WAITING) & (OutboxMessage.attempts > 0)
    )
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(waiting_again)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )
