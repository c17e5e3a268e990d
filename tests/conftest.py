"""Fixtures: an app on a real database (a SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import create_engine, make_url, text

from blog import db
from blog.accounts import create_user
from blog.config import database_url as database_url_of
from blog.models import Base, Post, PublicationKind, Status, Term
from blog.schema import upgrade

from .helpers import (
    BLOG,
    BOOK,
    MADE_APPS,
    PASSWORD,
    Clock,
    DeskClient,
    QueryCounter,
    SiteClient,
    empty_tables,
    login,
    make_app,
    smtp_server,
)


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out the tests marked `once` (they exercise browsers, nginx or files,
    not the store: the SQLite run covers them), unless BLOG_TEST_ONCE=1."""
    if not os.environ.get("TEST_DATABASE_URL") or os.environ.get("BLOG_TEST_ONCE") == "1":
        return
    once = [item for item in items if item.get_closest_marker("once")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("once")]


@pytest.fixture(autouse=True)
def close_pools():
    """Close the connection pools of the apps the test made, once the test is over."""
    yield
    while MADE_APPS:
        MADE_APPS.pop().extensions["db"]["engine"].dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Return the test database, brought up to date once by the migrations.

    On PostgreSQL (TEST_DATABASE_URL) each run gets a database of its own, created beside
    the one named and dropped at the end, so that runs never share tables.
    """
    configured = os.environ.get("TEST_DATABASE_URL")
    if not configured:
        yield from _migrated("sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3"))
        return
    server = make_url(database_url_of(configured, ""))
    name = f"blog_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield from _migrated(server.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str):
    app = make_app({"DATABASE_URL": url})
    with app.app_context():
        # Start from nothing, so the migrations as they are now build the schema.
        with db.engine().begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        empty_tables(db.engine())
        db.engine().dispose()
    yield url


@pytest.fixture
def app(database_url, tmp_path_factory):
    """The app on the test database (emptied after the test), the tests' own sites file and
    a media folder of the test's own (the demo and the media library write there)."""
    media = str(tmp_path_factory.mktemp("media"))
    app = make_app({"DATABASE_URL": database_url, "TESTING": True, "MEDIA_DIR": media})
    yield app
    with app.app_context():
        empty_tables(db.engine())
        db.engine().dispose()


@pytest.fixture
def clock(app):
    """The app's clock, standing still at the present until the test advances it."""
    app.config["CLOCK"] = clock = Clock()
    return clock


@pytest.fixture
def media_folder(app, tmp_path):
    """Point MEDIA_DIR at a folder of the test's own (the media library writes there)."""
    folder = tmp_path / "media"
    folder.mkdir(exist_ok=True)
    app.config["MEDIA_DIR"] = str(folder)
    return folder


@pytest.fixture
def smtp(app):
    """A local SMTP server the app sends through (run the sender: helpers.deliver)."""
    with smtp_server() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1])
        yield server


@pytest.fixture
def blog(app):
    """A test client for the research blog."""
    return SiteClient(app, app.response_class, use_cookies=True, base_url=BLOG)


@pytest.fixture
def book(app):
    """A test client for the book site."""
    return SiteClient(app, app.response_class, use_cookies=True, base_url=BOOK)


@pytest.fixture
def session(app):
    """A store session of the test's own, outside any request (as a command would have)."""
    with app.extensions["db"]["sessionmaker"]() as session:
        yield session


_slugs = count(1)


@pytest.fixture
def make_post(session):
    """Return a function that stores a published post (home site first in `sites`)."""

    def make(
        language: str = "fr",
        sites: tuple[str, ...] = ("blog",),
        title: str | None = None,
        slug: str | None = None,
        translation_of: Post | None = None,
        published_at: datetime | None = None,
        terms: tuple[Term, ...] = (),
        kind: str = "post",
        status: str = Status.PUBLISHED,
        source: str = "Some *text*.",
        commit: bool = True,
        **fields,
    ) -> Post:
        n = next(_slugs)
        post = Post(
            kind=kind,
            language=language,
            title=title or f"Post {n} ({language})",
            slug=f"post-{n}-{language}" if slug is None else slug,
            status=status,
            published_at=published_at or datetime(2025, 3, 1, tzinfo=UTC) + timedelta(seconds=n),
            **fields,
        )
        post.set_source(source, session=session)
        if translation_of is not None:
            post.translation_key = translation_of.translation_key
        post.publish_on(sites[0], PublicationKind.HOME)
        for site in sites[1:]:
            post.publish_on(site)
        post.terms = list(terms)
        session.add(post)
        if commit:
            session.commit()
        return post

    return make


@pytest.fixture
def make_term(session):
    def make(kind: str, slug: str, **names: str) -> Term:
        term = Term(kind=kind, slug=slug)
        for language, name in names.items():
            term.set_name(language, name)
        session.add(term)
        session.commit()
        return term

    return make


@pytest.fixture
def count_queries(app):
    def counter() -> QueryCounter:
        return QueryCounter(app.extensions["db"]["engine"])

    return counter


@pytest.fixture
def author(app, session):
    """An author account, its password hashed at the app's (cheap, in tests) cost."""
    with app.app_context():
        return create_user(session, "claire@example.org", PASSWORD, name="Claire", language="en")


@pytest.fixture
def desk(app, author):
    """A client signed in to the desk of the blog, as `author` (desk language English)."""
    client = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    response = login(client, author.email, PASSWORD)
    assert response.status_code == 302, response.text
    client.refresh_token()
    return client


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright; skipped where it cannot run.

    One per test process (starting it costs about a second): each test opens its own
    context or page, which shares nothing (cookies, storage) with another test's.
    With BLOG_REQUIRE_BROWSER=1 (as in CI) a missing browser fails instead of skipping.
    """
    from tools.livesite import CHROMIUM, CHROMIUM_ARGS

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright, missing = None, "Playwright is not installed (pip install -e '.[test]')"
    else:
        missing = None if os.access(CHROMIUM, os.X_OK) else f"{CHROMIUM} is missing"
    if missing:
        if os.environ.get("BLOG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing}, and BLOG_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def cli(app):
    """Return a function that runs a flask command and checks that it succeeded."""
    runner = app.test_cli_runner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(args=list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run
