"""Every statement a public page runs is served by an index: no full scan of posts or publications.

A store of a few hundred posts (bench/store.py: translations, announcements both ways, terms,
pages) is enough for the planners to show their hand: SQLite without statistics plans as if
every table were large, and PostgreSQL, after ANALYZE, is told to avoid sequential scans
(`enable_seqscan = off`), so a `Seq Scan` left in its plan means that no index can serve the
statement. Each page's statements are captured as the driver receives them (with their
parameters) and explained on the same database.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import event, select, text

from bench.store import build
from blog import queries
from blog.models import Kind, Post, Publication, PublicationKind, Term, TermKind
from blog.pagination import paginate

from .helpers import BLOG, BOOK, SiteClient, empty_tables, make_app

POSTS = 300
# The tables whose size grows with the archive.
GROWING = ("post", "publication", "search_document")
SQLITE_SCAN = re.compile(r"^SCAN (\w+)( USING .*)?$")
POSTGRES_FULL_SCAN = re.compile(r"Seq Scan on (\w+)")
ALIAS = re.compile(r"\b(\w+) AS (\w+)\b")


@pytest.fixture(scope="module")
def big_app(database_url):
    """An app on a store of a few hundred posts, its planner statistics up to date."""
    app = make_app({"DATABASE_URL": database_url, "TESTING": True})
    with app.extensions["db"]["sessionmaker"]() as session:
        build(session, POSTS)
    engine = app.extensions["db"]["engine"]
    if engine.dialect.name != "sqlite":
        # PostgreSQL plans from statistics (autovacuum keeps them in production); SQLite is
        # left without any, as a store nobody runs ANALYZE on.
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    yield app
    empty_tables(engine)
    engine.dispose()


def _one(session, statement):
    found = session.scalar(statement.limit(1))
    assert found is not None, statement
    return found


def _path(post: Post, prefix: str) -> str:
    return f"{prefix}/{post.published_at:%Y/%m}/{post.slug}/"


def public_pages(app) -> dict[str, tuple[str, str, int]]:
    """Return, by name, (site URL, path, expected status) of every kind of public page."""
    with app.extensions["db"]["sessionmaker"]() as session:

        def home_on(site: str, kind: str = Kind.POST, language: str | None = None):
            statement = select(Post).where(
                Post.kind == kind,
                Post.publications.any(
                    (Publication.site == site) & (Publication.kind == PublicationKind.HOME)
                ),
            )
            if language:
                statement = statement.where(Post.language == language)
            return _one(session, statement.order_by(Post.published_at.desc(), Post.id))

        blog_post = home_on("blog", language="en")
        book_post = home_on("book")
        blog_note = home_on("blog", Kind.ANNOUNCEMENT)
        book_note = home_on("book", Kind.ANNOUNCEMENT)
        # An English post alone in its group: the Italian reader gets it with a notice.
        alone = _one(
            session,
            select(Post).where(
                Post.kind == Kind.POST,
                Post.language == "en",
                Post.translation_key.not_in(
                    select(Post.translation_key).where(Post.language != "en")
                ),
            ),
        )
        # A French post with an English translation: the English reader is sent to it.
        translated = _one(
            session,
            select(Post).where(
                Post.kind == Kind.POST,
                Post.language == "fr",
                Post.translation_key.in_(select(Post.translation_key).where(Post.language == "en")),
            ),
        )
        category = _one(session, select(Term.slug).where(Term.kind == TermKind.CATEGORY))
        tag = (
            blog_post.tags()[0].slug
            if blog_post.tags()
            else _one(session, select(Term.slug).where(Term.kind == TermKind.TAG))
        )
    month = f"{blog_post.published_at:%Y/%m}"
    pages = {
        "blog root (negotiated)": (BLOG, "/", 302),
        "blog home": (BLOG, "/en/", 200),
        "blog home, French": (BLOG, "/fr/", 200),
        "blog home, page 2": (BLOG, "/en/?page=2", 200),
        "blog post": (BLOG, _path(blog_post, "/en"), 200),
        "blog post, fallback with notice": (BLOG, _path(alone, "/it"), 200),
        "blog post, redirect to the translation": (BLOG, _path(translated, "/en"), 301),
        "blog post, unknown": (BLOG, f"/en/{month}/no-such-post/", 404),
        "blog page": (BLOG, "/en/about/", 200),
        "blog category": (BLOG, f"/en/category/{category}/", 200),
        "blog tag": (BLOG, f"/en/tag/{tag}/", 200),
        "blog archive, year": (BLOG, f"/en/{blog_post.published_at:%Y}/", 200),
        "blog archive, month": (BLOG, f"/en/{month}/", 200),
        "blog archive index": (BLOG, "/en/archive/", 200),
        "blog category index": (BLOG, "/en/category/", 200),
        "blog announcement": (BLOG, _path(blog_note, f"/{blog_note.language}"), 200),
        "blog sitemap": (BLOG, "/sitemap.xml", 200),
        "blog robots": (BLOG, "/robots.txt", 200),
        "blog language switch": (BLOG, "/language/fr?next=" + quote("/fr/"), 303),
        # A word most posts hold, and a place that one in fourteen does.
        "blog search": (BLOG, "/en/search?q=archives", 200),
        "blog search, two words, page 2": (BLOG, "/it/search?q=fiume+Lyon&page=2", 200),
        "blog search, only in the language": (BLOG, "/fr/search?q=archives&only=1", 200),
        "book home": (BOOK, "/", 200),
        "book post": (BOOK, _path(book_post, ""), 200),
        "book page": (BOOK, "/le-livre/", 200),
        "book category": (BOOK, f"/category/{category}/", 200),
        "book archive, month": (BOOK, f"/{book_post.published_at:%Y/%m}/", 200),
        "book archive index": (BOOK, "/archive/", 200),
        "book category index": (BOOK, "/category/", 200),
        "book announcement": (BOOK, _path(book_note, ""), 200),
        "book sitemap": (BOOK, "/sitemap.xml", 200),
        "book robots": (BOOK, "/robots.txt", 200),
        "book search": (BOOK, "/search?q=archives", 200),
    }
    for format in ("atom", "rss", "json"):
        pages[f"blog feed, {format}"] = (BLOG, f"/en/feed.{format}", 200)
        pages[f"blog category feed, {format}"] = (
            BLOG, f"/en/category/{category}/feed.{format}", 200,
        )  # fmt: skip
        pages[f"book feed, {format}"] = (BOOK, f"/feed.{format}", 200)
    pages["blog tag feed"] = (BLOG, f"/en/tag/{tag}/feed.atom", 200)
    return pages


class Statements:
    """Capture the SQL statements an engine runs, as the driver gets them, with parameters."""

    def __init__(self, engine):
        self.engine, self.seen = engine, OrderedDict()

    def _capture(self, _conn, _cursor, statement, parameters, _context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.seen.setdefault(statement, parameters)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._capture)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._capture)


def _sorts_a_listing(statement: str) -> bool:
    """Whether a statement returns one page of posts in date order (LIMIT, ORDER BY date)."""
    order = statement.rsplit("ORDER BY", 1)
    return len(order) == 2 and "published_at" in order[1] and "LIMIT" in order[1]


def full_scans(connection, statement: str, parameters) -> list[str]:
    """Return the lines of a statement's plan that read a growing table in full.

    That is: a table scan (both); a whole index walked without a LIMIT to stop it, or a sort
    for one page of a listing, which means every listed post was read to find the page
    (SQLite); a hashed subplan (PostgreSQL).
    """
    listing = _sorts_a_listing(statement)
    if connection.dialect.name == "sqlite":
        plan = [row[3] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        )]  # fmt: skip
        # SQLite names a table by its alias in plans: map aliases back to tables.
        tables = {alias: table for table, alias in ALIAS.findall(statement)}
        found = []
        for line in plan:
            scan = SQLITE_SCAN.match(line)
            if scan and tables.get(scan.group(1), scan.group(1)) in GROWING:
                if scan.group(2) is None or "LIMIT" not in statement:
                    found.append(line)
            elif listing and line.startswith("USE TEMP B-TREE FOR ORDER BY"):
                found.append(line)
        return found
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = [row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
    # PostgreSQL's cost-based choice between walking the date order and reading a small site's
    # publications then sorting them is its own; a hashed subplan is not: it reads a whole
    # table at every request (see visibility.row_by_row).
    return [
        line
        for line in plan
        if ((found := POSTGRES_FULL_SCAN.search(line)) and found.group(1) in GROWING)
        or "hashed SubPlan" in line
    ]


@pytest.fixture(scope="module")
def pages(big_app):
    return public_pages(big_app)


PAGE_NAMES = [
    "blog root (negotiated)", "blog home", "blog home, French", "blog home, page 2", "blog post",
    "blog post, fallback with notice", "blog post, redirect to the translation",
    "blog post, unknown", "blog page", "blog category", "blog tag", "blog archive, year",
    "blog archive, month", "blog archive index", "blog category index", "blog announcement",
    "blog sitemap", "blog robots", "blog language switch", "blog search",
    "blog search, two words, page 2", "blog search, only in the language", "book search",
    "book home", "book post", "book page", "book category", "book archive, month",
    "book archive index", "book category index", "book announcement", "book sitemap",
    "book robots",
    *(f"{site} feed, {f}" for site in ("blog", "book") for f in ("atom", "rss", "json")),
    *(f"blog category feed, {f}" for f in ("atom", "rss", "json")), "blog tag feed",
]  # fmt: skip


def test_every_kind_of_public_page_is_covered(pages):
    assert sorted(PAGE_NAMES) == sorted(pages)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_public_page_reads_posts_and_publications_through_indexes(big_app, pages, name):
    base_url, path, status = pages[name]
    client = SiteClient(big_app, big_app.response_class, base_url=base_url)
    engine = big_app.extensions["db"]["engine"]
    with Statements(engine) as statements:
        response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    # A redirect decided from the request alone (the language switch, the bare /) reads nothing.
    assert statements.seen or status in (302, 303), path
    scans = {}
    with engine.connect() as connection:
        for statement, parameters in statements.seen.items():
            with connection.begin():
                found = full_scans(connection, statement, parameters)
            if found:
                scans[statement] = found
    report = "\n\n".join(f"{statement}\n  -> {lines}" for statement, lines in scans.items())
    assert not scans, f"{path} reads a growing table in full:\n{report}"


SEARCHES = ["blog search", "blog search, two words, page 2", "blog search, only in the language",
            "book search"]  # fmt: skip


@pytest.mark.parametrize("name", SEARCHES)
def test_a_search_finds_its_matches_through_the_index_and_reads_one_page(big_app, pages, name):
    """The index answers the match (FTS5's MATCH, or the GIN index); the posts are read by
    their ids for the best matches only, in one statement that also counts them."""
    base_url, path, status = pages[name]
    client = SiteClient(big_app, big_app.response_class, base_url=base_url)
    engine = big_app.extensions["db"]["engine"]
    with Statements(engine) as statements:
        assert client.get(path).status_code == status
    searching = [(s, p) for s, p in statements.seen.items() if "search_document" in s]
    assert len(searching) == 1, searching
    statement, parameters = searching[0]
    assert "count(*) OVER ()" in statement
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "sqlite":
            plan = [row[3] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters
            )]  # fmt: skip
            # The virtual table's index with a MATCH constraint (M) in its plan string.
            assert any(re.match(r"SCAN search_document VIRTUAL TABLE INDEX \d+:M", line)
                       for line in plan), plan  # fmt: skip
            assert "SEARCH post USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
        else:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = [row[0] for row in connection.exec_driver_sql(
                "EXPLAIN " + statement, parameters
            )]  # fmt: skip
            # Each language's matches through that language's own index (migration 0022).
            assert any("Bitmap Index Scan on ix_search_document_" in line for line in plan), plan


@pytest.mark.parametrize("query", ["", "?page=3", "?status=published&page=2"])
def test_the_desks_list_pages_and_counts_posts_through_its_index(big_app, query):
    """The desk's list finds its page's ids and counts the posts from `ix_post_desk` alone
    (kind, trash, date); only the page's own posts are then read in full, by id."""
    engine = big_app.extensions["db"]["engine"]
    with big_app.test_request_context(f"/admin/{query}"), Statements(engine) as statements:
        listing = paginate(queries.desk_posts(now=datetime.now(UTC)), per_page=25)
    assert len(listing.items) == 25 and listing.total > 50
    walks = [(s, p) for s, p in statements.seen.items() if "count(*)" in s or "LIMIT" in s]
    assert len(walks) == 1 + (listing.page > 1 or listing.total > 25), walks
    loads = [(s, p) for s, p in statements.seen.items() if "post.source" in s]
    assert len(loads) == 1, loads
    with engine.connect() as connection:
        for statement, parameters in [*walks, *loads]:
            with connection.begin():
                if connection.dialect.name == "sqlite":
                    plan = [row[3] for row in connection.exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )]  # fmt: skip
                    reads = [line for line in plan if " post" in line]
                    expected = (
                        "USING INTEGER PRIMARY KEY"
                        if (statement, parameters) in loads
                        else "COVERING INDEX ix_post_desk"
                    )
                    assert reads and all(expected in r for r in reads), plan
                else:
                    assert not full_scans(connection, statement, parameters), statement
