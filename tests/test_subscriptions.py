"""Follow by email: double opt-in, the form's defences, mailing posts as they become public,
one-click unsubscribing, and what is forgotten."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from blog.mail import OutboxMessage
from blog.models import Status
from blog.subscriptions.models import Mailing, MailingStatus, Subscriber

from .helpers import deliver
from .test_admin_posts import form_data

TOKEN = re.compile(r'name="token" value="([^"]+)"')
LINK = re.compile(r"(http://\S+/(?:subscribe/confirm|unsubscribe)/[\w.]+)")


def subscribe(client, clock, email="ada@example.org", path="/en/subscribe", wait=10, **fields):
    """Open the subscribe page, wait like a reader, send the form."""
    token = TOKEN.search(client.get(path).text).group(1)
    clock.advance(seconds=wait)
    return client.post(path, data={"email": email, "token": token, **fields})


def subscribers(session) -> list[Subscriber]:
    session.expire_all()
    return list(session.scalars(select(Subscriber).order_by(Subscriber.id)))


def confirmed(session, email, site="blog", language="", now=None) -> Subscriber:
    subscriber = Subscriber(
        site=site,
        language=language,
        email=email,
        created_at=now or datetime.now(UTC),
        confirmed_at=now or datetime.now(UTC),
    )
    session.add(subscriber)
    session.commit()
    return subscriber


def text_of(message: str) -> str:
    """Return a sent message's headers and decoded body, as a reader's mail client shows them."""
    parsed = email.message_from_string(message)
    headers = "".join(f"{name}: {value}\n" for name, value in parsed.items())
    return headers + parsed.get_payload(decode=True).decode()


def path_of(url: str) -> str:
    return url.split(":5000", 1)[1]


def test_no_subscribe_page_without_a_mail_server(blog):
    assert blog.get("/en/subscribe").status_code == 404
    assert "/en/subscribe" not in blog.get("/en/").text


def test_a_reader_subscribes_and_confirms_by_the_link(app, smtp, blog, clock, session):
    assert 'href="/en/subscribe"' in blog.get("/en/").text  # the footer's link
    answer = subscribe(blog, clock, language="en")
    assert answer.status_code == 200 and "a message with a confirmation link" in answer.text
    (asked,) = subscribers(session)
    assert (asked.site, asked.language, asked.confirmed_at) == ("blog", "en", None)
    assert asked.address_hash and "127.0.0.1" not in asked.address_hash
    deliver(app)
    message = text_of(smtp.messages[0])
    assert "Subject: Confirm your subscription to Research notebook" in message
    link = path_of(LINK.search(message).group(1))
    page = blog.get(link)
    assert "Confirm my subscription" in page.text
    assert subscribers(session)[0].confirmed_at is None  # a GET (a link scanner) changes nothing
    done = blog.post(link)
    assert "will receive the new posts" in done.text
    (subscriber,) = subscribers(session)
    assert subscriber.confirmed_at is not None and subscriber.address_hash is None


def test_the_book_site_form_is_in_french_and_has_no_language_choice(smtp, book, clock):
    page = book.get("/subscribe")
    assert "Votre adresse e-mail" in page.text and 'name="language"' not in page.text


@pytest.mark.parametrize(
    ("fields", "wait", "message"),
    [
        ({"homepage": "http://spam.example"}, 10, "could not be accepted"),
        ({}, 1, "That was quick!"),
        ({"token": "123.forged"}, 10, "This form has expired"),
        ({"email": "not an address"}, 10, "does not look right"),
    ],
)
def test_a_refused_subscription_comes_back_with_the_address(
    smtp, blog, clock, session, fields, wait, message
):
    token = TOKEN.search(blog.get("/en/subscribe").text).group(1)
    clock.advance(seconds=wait)
    data = {"email": "ada@example.org", "token": token, **fields}
    answer = blog.post("/en/subscribe", data=data)
    assert answer.status_code == 422 and message in answer.text
    assert f'value="{data["email"]}"' in answer.text
    assert subscribers(session) == []


def test_many_subscriptions_from_one_address_are_refused(app, smtp, blog, clock, session):
    for n in range(app.config["COMMENTS_RATE_LIMIT"]):
        assert subscribe(blog, clock, email=f"r{n}@example.org").status_code == 200
    answer = subscribe(blog, clock, email="one-more@example.org")
    assert answer.status_code == 422 and "Please wait a few minutes" in answer.text


def test_the_answer_tells_no_one_who_follows_the_site(app, smtp, blog, clock, session):
    confirmed(session, "ada@example.org")
    answer = subscribe(blog, clock)
    assert "a message with a confirmation link" in answer.text
    deliver(app)
    assert smtp.messages == []  # a confirmed address gets nothing
    subscribe(blog, clock, email="bea@example.org")
    subscribe(blog, clock, email="bea@example.org")  # asked again at once: one message only
    deliver(app)
    assert len(smtp.messages) == 1


def test_an_unconfirmed_address_is_deleted_after_some_days(app, smtp, blog, clock, session):
    subscribe(blog, clock)
    clock.advance(days=app.config["SUBSCRIPTIONS_CONFIRM_DAYS"], seconds=1)
    deliver(app)
    assert subscribers(session) == []


def editor_form(**overrides):
    wanted = {"language": "en", "title": "Floods of 1910", "summary": "What the river did."}
    return form_data(**{**wanted, "mail_choice": "1", **overrides})


def local_time(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M")


def test_a_scheduled_post_goes_to_its_subscribers_when_it_comes_due(
    app, smtp, desk, blog, clock, session
):
    english = confirmed(session, "en@example.org", language="en")
    confirmed(session, "all@example.org")
    confirmed(session, "fr@example.org", language="fr")
    confirmed(session, "book@example.org", site="book")
    session.add(Subscriber(site="blog", email="unconfirmed@example.org", language=""))
    session.commit()
    due = datetime.now(UTC) + timedelta(days=1)
    data = editor_form(published_at=local_time(due), mail_subscribers="1")
    assert desk.send("/admin/posts/new", data).status_code == 302
    (mailing,) = session.scalars(select(Mailing)).all()
    assert mailing.status == MailingStatus.PLANNED
    deliver(app)
    assert smtp.messages == []  # scheduled: nothing private is mailed
    clock.advance(days=1, minutes=2)
    deliver(app)
    assert sorted(re.search(r"To: (\S+)", m).group(1) for m in smtp.messages) == [
        "all@example.org",
        "en@example.org",
    ]
    message = text_of(next(m for m in smtp.messages if "To: en@example.org" in m))
    assert "Subject: Research notebook: Floods of 1910" in message
    assert "What the river did." in message and "/en/" in message and "floods-of-1910/" in message
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message
    assert f"/en/unsubscribe/{english.id}." in message
    assert "Un texte" not in message  # the summary, not the text (mail_full_text is off)
    deliver(app)
    assert len(smtp.messages) == 2  # never twice
    session.expire_all()
    assert session.get(Mailing, mailing.post_id).recipients == 2
    page = desk.get(f"/admin/posts/{mailing.post_id}")
    assert "Mailed to 2 subscribers" in page.text


def test_the_full_text_goes_when_the_site_says_so(app, smtp, desk, clock, session):
    object.__setattr__(app.extensions["sites"]["blog"], "mail_full_text", True)
    confirmed(session, "en@example.org", language="en")
    desk.send("/admin/posts/new", editor_form(mail_subscribers="1"))
    clock.advance(minutes=1)
    deliver(app)
    assert "Un texte **important**." in text_of(smtp.messages[0])


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # the box left unticked: skipped
        {"mail_subscribers": "1", "status": Status.DRAFT},  # a draft is never mailed
    ],
)
def test_skipped_and_private_posts_are_not_mailed(app, smtp, desk, clock, session, overrides):
    confirmed(session, "en@example.org", language="en")
    desk.send("/admin/posts/new", editor_form(**overrides))
    clock.advance(minutes=1)
    deliver(app)
    assert smtp.messages == []
    desk.send("/admin/posts/new", editor_form(title="Another", mail_subscribers="1"))
    clock.advance(minutes=1)
    deliver(app)
    assert len(smtp.messages) == 1  # what the same steps mail when the post may go


def test_a_trashed_post_is_not_mailed(app, smtp, desk, clock, session, make_post):
    confirmed(session, "en@example.org", language="en")
    post = make_post(language="en")
    session.add(Mailing(post_id=post.id))
    post.deleted_at = datetime.now(UTC)
    session.commit()
    deliver(app)
    assert smtp.messages == []


def test_one_click_unsubscribes_and_deletes_the_address(app, smtp, blog, clock, session, make_post):
    confirmed(session, "en@example.org", language="en")
    smtp.failing = "connect"
    for title in ("One", "Two"):
        post = make_post(language="en", title=title)
        session.add(Mailing(post_id=post.id))
        session.commit()
        deliver(app)
    assert len(session.scalars(select(OutboxMessage)).all()) == 2  # waiting for the server
    message = session.scalars(select(OutboxMessage)).first()
    url = re.search(r"<(http://[^>]+)>", message.headers).group(1)
    asked = blog.get(path_of(url))
    assert "Stop sending the new posts" in asked.text and subscribers(session)
    # What a mail client sends (RFC 8058): no cookie, no CSRF token.
    done = blog.post(path_of(url), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert subscribers(session) == []
    session.expire_all()
    assert session.scalars(select(OutboxMessage)).all() == []  # its waiting mailings too
    assert blog.post(path_of(url)).status_code == 200  # again: nothing to do, no error
    # A link naming no id ("²" passes str.isdigit, not int): an unknown link, no error.
    for forged in ("\u00b2.x", "9" * 12 + ".x"):
        assert blog.get(f"/en/unsubscribe/{forged}").status_code == 200
        assert blog.get(f"/en/subscribe/confirm/{forged}").status_code == 404


def test_the_desk_counts_subscribers_per_site_and_language(smtp, desk, session):
    confirmed(session, "a@example.org", language="en")
    confirmed(session, "b@example.org", language="en")
    session.add(Subscriber(site="book", email="c@example.org"))
    session.commit()
    page = desk.get("/admin/subscribers/").text
    cells = r"<td>{}</td><td>{}</td><td>(\d+)</td><td>(\d+)</td>"
    assert re.search(cells.format("Carnet de recherche", "English"), page).groups() == ("2", "0")
    book = re.search(cells.format("La Mémoire des rivières", "French"), page)
    assert book.groups() == ("0", "1")


def test_a_failing_server_loses_no_subscription_nor_its_confirmation(
    app, smtp, blog, clock, session
):
    smtp.failing = "connect"
    assert subscribe(blog, clock).status_code == 200
    assert deliver(app).failed == 1
    assert [s.email for s in subscribers(session)] == ["ada@example.org"]
    smtp.failing = None
    clock.advance(minutes=1)
    assert deliver(app).sent == 1
    assert "/subscribe/confirm/" in text_of(smtp.messages[0])
