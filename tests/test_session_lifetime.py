"""Desk sessions end: an absolute lifetime, an idle timeout, and no cookie on public pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select

from blog.models import LoginSession
from tests.helpers import BLOG, PASSWORD, DeskClient, csrf_from

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class Clock:
    """The app's CLOCK, moved by the test instead of waiting."""

    def __init__(self):
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app):
    app.config["CLOCK"] = clock = Clock()
    return clock


def sign_in(app, author) -> DeskClient:
    client = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    login = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": author.email, "password": PASSWORD, "csrf_token": csrf_from(login)},
    )
    assert response.status_code == 302
    return client


def signed_in(client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 200


def sessions(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(LoginSession))


def test_a_busy_session_still_ends_after_its_lifetime(app, author, clock, session):
    client = sign_in(app, author)
    for _day in range(29):
        clock.now += DAY
        assert signed_in(client)
    clock.now = START + timedelta(days=30, seconds=1)
    assert not signed_in(client)
    assert sessions(session) == 0  # refused and deleted


def test_an_idle_session_ends(app, author, clock, session):
    client = sign_in(app, author)
    clock.now += timedelta(days=6, hours=23)
    assert signed_in(client)
    clock.now += timedelta(days=7, seconds=1)
    assert not signed_in(client)
    assert sessions(session) == 0


def test_the_limits_are_settings(app, author, clock):
    app.config["SESSION_IDLE_TIMEOUT"] = 3600
    client = sign_in(app, author)
    clock.now += timedelta(minutes=59)
    assert signed_in(client)
    clock.now += timedelta(minutes=61)
    assert not signed_in(client)


def test_the_cookie_never_outlives_the_session(app, author, clock):
    client = sign_in(app, author)
    for day in (6, 12, 18, 24, 29):
        clock.now = START + timedelta(days=day)
        response = client.get("/admin/")
        assert response.status_code == 200
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = next(p for p in cookie.split("; ") if p.lower().startswith("expires="))
    assert parsedate_to_datetime(expires.split("=", 1)[1]) <= START + timedelta(days=30)


def test_an_old_copy_of_the_cookie_expires_while_the_author_keeps_working(app, author, clock):
    client = sign_in(app, author)
    copied = client.get_cookie("session", domain="blog.localhost").value
    for day in (4, 8):
        clock.now = START + timedelta(days=day)
        assert signed_in(client)  # the author's browser keeps its session alive
    thief = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    thief.set_cookie("session", copied, domain="blog.localhost")
    assert not signed_in(thief)  # the copy says it was last seen eight days ago


PUBLIC_PAGES = [
    "/en/",
    "/en/feed.atom",
    "/sitemap.xml",
    "/robots.txt",
    "/en/nothing/",
    "/sitemap-1.xml",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_send_a_signed_in_author_no_cookie(app, desk, make_post, path):
    make_post(language="en")
    response = desk.get(path)
    assert "Set-Cookie" not in response.headers
    # The author gets the page any reader gets.
    stranger = app.test_client().get(path, base_url=BLOG)
    assert (response.status_code, response.data) == (stranger.status_code, stranger.data)


@pytest.mark.parametrize("path", PUBLIC_PAGES[:3])
def test_a_public_page_that_sets_a_cookie_is_never_publicly_cacheable(app, desk, path):
    # Should something refresh the cookie on a public page, the page turns private.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True
    response = desk.get(path)
    assert any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    assert "public" not in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "next_url",
    [
        "/admin/../../x",
        "/admin/..%2f..%2fx",
        "/admin/%2e%2e/%2e%2e/x",
        "/admin/%2E%2E/x",
        "/admin/./../x",
        "/admin/posts/../../../en/",
    ],
)
def test_next_that_climbs_out_of_the_desk_lands_on_the_desk_home(blog, author, next_url):
    login = blog.get("/admin/login")
    response = blog.post(
        "/admin/login",
        query_string={"next": next_url},
        data={"email": author.email, "password": PASSWORD, "csrf_token": csrf_from(login)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
