"""The fast path: warm hits answered before Flask, exactly as Flask answers them.

Each test runs with the response cache in memory and in Redis. A warm hit must start no Flask
request, run no ORM statement and render nothing; its answer must be Flask's, byte for byte and
header for header, but for X-Request-Id; every change must be seen at the next request.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask import request_started

from blog import db
from blog.pagecache import MemoryCache

from . import test_page_cache as page_cache
from .helpers import BLOG, BOOK, make_app
from .test_page_cache import (
    CHANGES,
    a_little_of_everything,
    cached_app,
    counting_renders,
    get,
    uncached_twin,
)


@pytest.fixture(params=["memory", "redis"])
def app(request, database_url):
    yield from cached_app(database_url, request.param, fast_path=True)


@pytest.fixture
def truth(app, clock):
    yield from uncached_twin(app, clock)


@pytest.fixture
def store(make_post, make_term, session, clock, cli):
    return a_little_of_everything(make_post, make_term, session, clock, cli)


@pytest.fixture
def flask_only(app, clock):
    """The same app with the fast path off: what Flask answers, on the same store and clock."""
    config = {key: app.config[key] for key in ("DATABASE_URL", "PAGE_CACHE", "REDIS_URL")}
    config["PAGE_CACHE_PREFIX"] = app.config["PAGE_CACHE_PREFIX"] + "flask:"
    flask = make_app({**config, "TESTING": True, "FAST_PATH": False})
    flask.config["CLOCK"] = clock
    yield flask
    if flask.config["PAGE_CACHE"] == "redis":
        flask.extensions["page_cache"].clear()
        flask.extensions["page_cache"].client.close()
    with flask.app_context():
        db.engine().dispose()


@contextmanager
def flask_requests(app):
    """Count the requests that reach Flask (the fast path answers the others)."""
    started = []

    def record(_sender, **_extra):
        started.append(1)

    request_started.connect(record, app)
    try:
        yield started
    finally:
        request_started.disconnect(record, app)


def without_request_id(response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers if name != "X-Request-Id"]


def assert_fast(app, count_queries, base, path, **kwargs):
    """Ask for a page; assert that the fast path answered it; return the answer."""
    with flask_requests(app) as started, count_queries() as queries, counting_renders(app) as r:
        response = app.test_client().open(path, base_url=base, **kwargs)
    assert (len(started), queries.count, r) == (0, 0, []), path
    assert len(response.headers["X-Request-Id"]) == 32
    return response


def fast_entries(app) -> int:
    cache = app.extensions["page_cache"]
    if isinstance(cache, MemoryCache):
        return sum(key.startswith("fast") for key in cache._entries)
    names = [key.decode().removeprefix(cache.prefix) for key in cache.keys()]  # noqa: SIM118
    return sum(name.startswith("fast") for name in names)


def pages_of_every_type(store) -> list[tuple[str, str]]:
    year = store.month[:4]
    extra = [(BLOG, f"/fr/{year}/"), (BLOG, f"/fr/{store.month}/"), (BLOG, "/robots.txt")]
    extra += [(BLOG, "/sitemap-1.xml"), (BLOG, "/fr/tag/nowhere/"), (BOOK, "/sitemap.xml")]
    return store.pages + extra


def test_a_warm_hit_is_flasks_answer_without_flask(app, flask_only, store, count_queries):
    for base, path in pages_of_every_type(store):
        want = {method: flask_only.test_client().open(path, base_url=base, method=method)
                for method in ("GET", "HEAD")}  # fmt: skip
        first = get(app, base, path)
        assert (first.status_code, first.data) == (want["GET"].status_code, want["GET"].data)
        if first.status_code != 200:
            # Not kept (a 404): Flask answers every time.
            with flask_requests(app) as started:
                assert get(app, base, path).status_code == first.status_code
            assert started == [1], path
            continue
        for method in ("GET", "HEAD"):
            got = assert_fast(app, count_queries, base, path, method=method)
            assert got.status == want[method].status, path
            assert without_request_id(got) == without_request_id(want[method]), (path, method)
            assert got.data == want[method].data, (path, method)
            assert got.headers["X-Request-Id"] != want[method].headers["X-Request-Id"]


def test_a_current_copy_gets_flasks_304(app, flask_only, store, count_queries):
    for base, path in [(BLOG, "/fr/"), (BLOG, "/fr/feed.atom"), (BOOK, "/contact/")]:
        page = get(flask_only, base, path)
        etag = page.headers["ETag"]
        conditional = {"If-None-Match": f'"other", {etag}'}
        want = get(flask_only, base, path, headers=conditional)
        assert want.status_code == 304
        # The first 304 is Flask's (the fast path keeps it, the page itself not asked for
        # yet), the next ones the fast path's.
        assert get(app, base, path, headers=conditional).status_code == 304
        for method in ("GET", "HEAD"):
            got = assert_fast(app, count_queries, base, path, method=method, headers=conditional)
            assert got.status == want.status and got.data == b""
            assert without_request_id(got) == without_request_id(want), path
        # Another tag, or a date alone: the page, or Flask's to decide.
        get(app, base, path)
        stale = assert_fast(app, count_queries, base, path, headers={"If-None-Match": '"old"'})
        assert stale.status_code == 200 and stale.headers["ETag"] == etag
        with flask_requests(app) as started:
            since = {"If-Modified-Since": page.headers["Last-Modified"]}
            assert get(app, base, path, headers=since).status_code == 304
        assert started == [1]


@pytest.mark.parametrize("name", CHANGES)
def test_every_change_is_seen_at_once(
    app, truth, store, desk, clock, cli, make_post, session, count_queries, name
):
    page_cache.test_no_reader_gets_a_stale_page_after_a_change(
        app, truth, store, desk, clock, cli, make_post, session, name
    )
    # The pages answered after the change are kept again, under the new state.
    for base, path in store.pages:
        if get(app, base, path).status_code == 200:
            assert_fast(app, count_queries, base, path)


def test_the_host_is_read_as_the_sites_are(app, store, count_queries):
    page = get(app, BLOG, "/en/")
    for host in ("BLOG.localhost", "blog.localhost:80"):
        got = assert_fast(app, count_queries, f"http://{host}", "/en/")
        assert got.data == page.data
    # A host no site answers on is Flask's: its 404, every time.
    for _ in range(2):
        with flask_requests(app) as started:
            assert get(app, "http://elsewhere.example", "/en/").status_code == 404
        assert started == [1]


def test_requests_the_fast_path_leaves_to_flask(app, store, desk):
    get(app, BLOG, "/fr/")
    get(app, BLOG, "/fr/?page=1")
    kept = fast_entries(app)
    assert kept == 2
    others = [
        ("GET", "/fr/?page=1&utm_source=x", {}),  # a query string the page does not read
        ("GET", "/fr/?page=%31", {}),  # another spelling of one it reads
        ("POST", "/fr/", {}),
        ("GET", "/fr/", {"Content-Length": "5", "data": b"hello"}),
    ]
    for method, path, extra in others:
        data = extra.pop("data", None)
        with flask_requests(app) as started:
            app.test_client().open(path, base_url=BLOG, method=method, data=data, headers=extra)
        assert started == [1], (method, path)
    # The desk's browser: Flask, which neither reads the cache for it nor keeps its page.
    with flask_requests(app) as started, counting_renders(app) as renders:
        seen = desk.get("/fr/")
    assert started == [1] and "public/home.html" in renders
    assert seen.headers["Cache-Control"] == "private, no-cache"
    assert fast_entries(app) == kept


def test_the_negotiated_home_is_never_answered_by_the_fast_path(app, store):
    kept = fast_entries(app)
    for _round in range(2):
        for language in ("en", "it", "fr"):
            with flask_requests(app) as started:
                response = get(app, BLOG, "/", headers={"Accept-Language": language})
            assert started == [1]
            assert (response.status_code, response.location) == (302, f"/{language}/")
    assert fast_entries(app) == kept


def test_a_broken_database_connection_is_flasks_then_replaced(app, store, count_queries):
    page = get(app, BLOG, "/en/")
    assert_fast(app, count_queries, BLOG, "/en/")
    app.extensions["fast_path"].moment.local.connection.driver_connection.close()
    with flask_requests(app) as started:
        again = get(app, BLOG, "/en/")
    assert started == [1] and again.data == page.data
    assert assert_fast(app, count_queries, BLOG, "/en/").data == page.data


def test_pages_are_served_by_flask_while_redis_is_down(database_url, make_post):
    down = make_app(
        {"DATABASE_URL": database_url, "PAGE_CACHE": "redis", "REDIS_URL": "redis://127.0.0.1:9/0"}
    )
    assert "fast_path" in down.extensions
    make_post(language="fr", title="Toujours là")
    for _ in range(3):
        with flask_requests(down) as started:
            response = get(down, BLOG, "/fr/")
        assert started == [1]
        assert response.status_code == 200 and "Toujours là" in response.text
    down.extensions["page_cache"].client.close()
    down.extensions["fast_path"].moment.close()
    with down.app_context():
        db.engine().dispose()


def test_no_fast_path_without_a_cache_or_when_turned_off(database_url):
    for config in ({"PAGE_CACHE": "off"}, {"PAGE_CACHE": "memory", "FAST_PATH": False}):
        assert "fast_path" not in make_app({"DATABASE_URL": database_url, **config}).extensions


def test_a_scheduled_post_coming_due_is_seen_on_the_pinned_clock(app, store, clock):
    before = get(app, BLOG, "/fr/")
    assert "Bientôt là" not in before.text
    assert get(app, BLOG, "/fr/").data == before.data
    clock.advance(minutes=6)
    assert "Bientôt là" in get(app, BLOG, "/fr/").text
