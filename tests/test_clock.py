"""The app's clock: the system's by default, a test's own when CLOCK is set (no sleeping)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from blog import clock as app_clock

from .helpers import PASSWORD, login


def test_the_system_clock_by_default_aware_utc(app):
    with app.app_context():
        moment = app_clock.now()
    assert moment.tzinfo is UTC
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=1)


def test_an_apps_clock_is_asked_and_given_back_in_utc(app):
    paris = timezone(timedelta(hours=1))
    app.config["CLOCK"] = lambda: datetime(2030, 1, 1, 12, tzinfo=paris)
    with app.app_context():
        assert app_clock.now() == datetime(2030, 1, 1, 11, tzinfo=UTC)
        assert app_clock.now().tzinfo is UTC
    assert abs(app_clock.now() - datetime.now(UTC)) < timedelta(minutes=1)  # outside the app


def test_a_naive_clock_is_refused(app):
    app.config["CLOCK"] = lambda: datetime(2030, 1, 1, 12)
    with app.app_context(), pytest.raises(ValueError, match="aware"):
        app_clock.now()


def test_a_scheduled_post_appears_when_the_clock_passes_its_time(blog, make_post, clock):
    due = clock() + timedelta(hours=1)
    make_post(language="fr", title="Plus tard", slug="plus-tard", published_at=due)
    assert "Plus tard" not in blog.get("/fr/").text
    assert "Plus tard" not in blog.get("/fr/feed.atom").text
    clock.advance(hours=1, seconds=1)
    assert "Plus tard" in blog.get("/fr/").text
    assert "Plus tard" in blog.get("/fr/feed.atom").text


def test_a_login_lock_is_lifted_when_the_clock_passes_it(blog, author, clock):
    for _ in range(3):
        assert login(blog, author.email, "wrong guess").status_code == 401
    assert login(blog, author.email, "wrong guess").status_code == 429  # wait 2 seconds
    clock.advance(seconds=1)
    assert login(blog, author.email, "wrong guess").status_code == 429
    clock.advance(seconds=1)
    assert login(blog, author.email, PASSWORD).status_code == 302
