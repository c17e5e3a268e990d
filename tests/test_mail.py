"""The outbox: queued in the caller's transaction, sent later, retried with back-off, never lost."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from blog import mail, sender
from blog.mail import MessageStatus, OutboxMessage

from .helpers import deliver


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue_one(app, session, clock, to="ada@example.org", **kwargs) -> OutboxMessage:
    with app.app_context():
        (message,) = mail.queue(session, [to], "Hello", "Body text", now=clock(), **kwargs)
    session.commit()
    return message


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 60), (2, 120), (3, 240), (6, 1920), (12, 6 * 3600)]
)
def test_each_failure_doubles_the_wait_up_to_a_cap(app, attempts, seconds):
    assert mail.retry_delay(app.config, attempts) == timedelta(seconds=seconds)


def test_a_queued_message_is_sent_with_its_headers_then_its_body_forgotten(
    app, smtp, session, clock
):
    queue_one(app, session, clock, headers={"List-Unsubscribe": "<https://x.test/u/1>"})
    assert smtp.messages == []  # queued, not sent
    assert deliver(app).sent == 1
    (sent,) = smtp.messages
    assert "To: ada@example.org" in sent and "From: blog@localhost" in sent
    assert "Subject: Hello" in sent and "Body text" in sent
    assert "List-Unsubscribe: <https://x.test/u/1>" in sent and "Message-ID: <" in sent
    (row,) = outbox(session)
    assert row.status == MessageStatus.SENT and row.sent_at == clock()
    assert row.body == "" and json.loads(row.headers) == {}
    assert deliver(app).sent == 0  # never twice


def test_a_server_that_fails_then_accepts_gets_the_message_later(app, smtp, session, clock):
    smtp.failing = "data"
    queue_one(app, session, clock)
    assert deliver(app).failed == 1
    (row,) = outbox(session)
    assert row.status == MessageStatus.WAITING and row.attempts == 1
    assert "451" in row.last_error and row.next_attempt_at == clock() + timedelta(seconds=60)
    smtp.failing = None
    clock.advance(seconds=59)
    assert deliver(app).sent == 0  # not due yet
    clock.advance(seconds=1)
    assert deliver(app).sent == 1 and len(smtp.messages) == 1
    (row,) = outbox(session)
    assert row.status == MessageStatus.SENT and row.attempts == 2 and row.last_error == ""


def test_after_the_last_attempt_a_message_waits_for_the_desk(app, smtp, session, clock, desk):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    smtp.failing = "connect"
    queue_one(app, session, clock)
    deliver(app)
    clock.advance(hours=1)
    assert deliver(app).failed == 1
    (row,) = outbox(session)
    assert row.status == MessageStatus.FAILED and "421" in row.last_error
    clock.advance(days=2)
    assert deliver(app).sent == 0 and len(outbox(session)) == 1  # kept, not lost
    page = desk.get("/admin/subscribers/")
    assert "ada@example.org" in page.text and "421" in page.text
    smtp.failing = None
    desk.refresh_token("/admin/subscribers/")
    assert desk.send("/admin/subscribers/retry").status_code == 302
    assert deliver(app).sent == 1


def test_a_message_claimed_by_one_sender_is_not_sent_by_another(app, smtp, session, clock):
    queue_one(app, session, clock)
    queue_one(app, session, clock, to="bea@example.org")
    factory = app.extensions["db"]["sessionmaker"]
    with app.app_context(), factory() as other:
        taken = mail._claim(other, clock(), app.config, limit=1)
        assert [m.recipient for m in taken] == ["ada@example.org"]
        # The other sender runs meanwhile: only the message nobody took goes.
        assert deliver(app).sent == 1
        assert "To: bea@example.org" in smtp.messages[0]


def test_sent_messages_leave_the_log_after_some_days(app, smtp, session, clock):
    queue_one(app, session, clock)
    deliver(app)
    clock.advance(days=app.config["MAIL_KEEP_DAYS"], seconds=1)
    deliver(app)
    assert outbox(session) == []


def test_send_queues_and_commits_or_says_no_server(app, session, clock):
    with app.test_request_context():
        assert mail.send(app.config, ["ada@example.org"], "Hi", "Text") is False
    app.config["MAIL_SERVER"] = "127.0.0.1"
    with app.test_request_context(method="POST"):
        assert mail.send(app.config, ["ada@example.org", "bea@example.org"], "Hi", "Text")
    assert [m.recipient for m in outbox(session)] == ["ada@example.org", "bea@example.org"]


def test_the_send_mail_command_runs_the_sender(app, smtp, session, clock, cli):
    queue_one(app, session, clock)
    result = cli("send-mail")
    assert "1 sent, 0 failed" in result.output and len(smtp.messages) == 1
    app.config["MAIL_SERVER"] = None
    assert "No SMTP server" in cli("send-mail", ok=False).output


@pytest.mark.slow
def test_the_web_process_thread_sends_what_a_request_committed(app, smtp, blog, author):
    app.config["MAIL_SENDER"] = "thread"
    try:
        blog.get("/en/")  # the first request starts the thread
        assert app.extensions["mail_sender"].is_alive()
        with app.test_request_context(method="POST"):
            mail.send(app.config, ["ada@example.org"], "Hi", "Text")
        for _ in range(100):
            if smtp.messages:
                break
            time.sleep(0.05)
        assert len(smtp.messages) == 1  # woken by the commit, not after MAIL_POLL_SECONDS
    finally:
        sender.stop(app)
    assert not app.extensions["mail_sender"].is_alive()


def test_an_invitation_is_queued_with_its_link_and_sent_later(app, smtp, desk, session):
    page = desk.send("/admin/people/invite", {"email": "tom@example.org", "name": "Tom",
                                              "role": "translator", "language": "fr"})  # fmt: skip
    assert page.status_code == 200 and "A link was mailed to tom@example.org" in page.text
    assert smtp.messages == []  # the request did not wait for SMTP
    (queued,) = outbox(session)
    assert queued.recipient == "tom@example.org" and "/admin/password/" in queued.body
    assert deliver(app).sent == 1 and "tom@example.org" in smtp.messages[0]


def test_reset_password_queues_the_link_too(app, smtp, cli, author, session):
    result = cli("reset-password", author.email)
    assert "Queued for claire@example.org" in result.output
    url = result.output.strip().splitlines()[-1]
    (queued,) = outbox(session)
    assert url in queued.body
