"""The response cache, in memory and in Redis: a warm page costs the stamp and no rendering,
and no reader ever gets a stale page, another language's or an author's, after any change.

Every test runs once per backend (the `app` fixture below overrides conftest's), through Flask:
the fast path that answers warm hits before it is off here, and test_fastpath.py runs the same
changes with it on. What a reader must get is what the same app answers with the cache off, on
the same store and clock (`truth`).
"""

from __future__ import annotations

import shutil
import uuid
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import redis
from flask import template_rendered
from sqlalchemy import select

from blog import db
from blog.config import DEFAULTS
from blog.models import Kind, Post, Revision, Status
from blog.pagecache import MemoryCache

from .helpers import BLOG, BOOK, DATA, empty_tables, make_app

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_or_skip() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    finally:
        client.close()


def cached_app(database_url: str, mode: str, fast_path: bool):
    """Yield an app whose response cache is `mode` ("memory" or "redis"), then clean up."""
    config = {
        "DATABASE_URL": database_url,
        "TESTING": True,
        "PAGE_CACHE": mode,
        "FAST_PATH": fast_path,
    }
    if mode == "redis":
        redis_or_skip()
        # A prefix of the test's own in a spare database number, deleted at the end.
        config |= {"REDIS_URL": REDIS_URL, "PAGE_CACHE_PREFIX": f"test:{uuid.uuid4().hex}:"}
    app = make_app(config)
    yield app
    cache = app.extensions["page_cache"]
    if mode == "redis":
        cache.clear()
        cache.client.close()
    if fast_path:
        app.extensions["fast_path"].moment.close()
    with app.app_context():
        empty_tables(db.engine())
        db.engine().dispose()


@pytest.fixture(params=["memory", "redis"])
def app(request, database_url):
    yield from cached_app(database_url, request.param, fast_path=False)


@pytest.fixture
def truth(app, clock):
    yield from uncached_twin(app, clock)


def uncached_twin(app, clock):
    """The same app on the same store and clock, with no cache: what a reader must get."""
    uncached = make_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True, "PAGE_CACHE": "off"}
    )
    uncached.config["CLOCK"] = clock
    yield uncached
    with uncached.app_context():
        db.engine().dispose()


def stored(app) -> int:
    cache = app.extensions["page_cache"]
    return len(cache) if isinstance(cache, MemoryCache) else len(cache.keys())


@contextmanager
def counting_renders(app):
    renders = []

    def record(_sender, template, **_extra):
        renders.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield renders
    finally:
        template_rendered.disconnect(record, app)


def get(app, base: str, path: str, **kwargs):
    """A reader's request: a fresh client, no cookie unless given."""
    return app.test_client().get(path, base_url=base, **kwargs)


@pytest.fixture
def store(make_post, make_term, session, clock, cli):
    return a_little_of_everything(make_post, make_term, session, clock, cli)


def a_little_of_everything(make_post, make_term, session, clock, cli):
    """Both sites with a little of everything a change can touch."""
    floods = make_term("category", "crues", fr="Crues", en="Floods")
    original = make_post(language="fr", slug="les-crues", title="Les crues", terms=(floods,))
    english = make_post(
        language="en", slug="floods", title="Floods", translation_of=original, terms=(floods,)
    )
    draft = make_post(language="fr", slug="brouillon", title="Brouillon", status=Status.DRAFT)
    soon = clock() + timedelta(minutes=5)
    make_post(language="fr", slug="bientot", title="Bientôt là", published_at=soon)
    book_post = make_post(language="fr", sites=("book",), slug="parution", title="Parution")
    contact = make_post(kind="page", sites=("book",), slug="contact", title="Contact", menu_order=1)
    press = make_post(kind="page", sites=("book",), slug="presse", title="Presse", menu_order=2)
    cli("announce", str(book_post.id), "--on", "blog", "--title", "Le livre paraît")
    for post in (original, english, draft):
        session.add(Revision.of(post))
    session.commit()
    month = original.published_at.strftime("%Y/%m")
    pages = [
        (BLOG, "/fr/"),
        (BLOG, "/en/"),
        (BLOG, "/it/"),
        (BLOG, "/fr/?page=1"),
        (BLOG, f"/fr/{month}/les-crues/"),
        (BLOG, f"/en/{month}/floods/"),
        (BLOG, f"/fr/{soon:%Y/%m}/bientot/"),
        (BLOG, "/fr/category/crues/"),
        (BLOG, "/en/category/crues/"),
        (BLOG, "/fr/feed.atom"),
        (BLOG, "/en/feed.json"),
        (BLOG, "/sitemap.xml"),
        (BOOK, "/"),
        (BOOK, "/contact/"),
        (BOOK, "/feed.rss"),
    ]
    return SimpleNamespace(
        floods=floods, original=original, draft=draft, contact=contact, press=press,
        month=month, pages=pages,
    )  # fmt: skip


def warm(app, pages) -> dict:
    """Ask every page twice; the second answer of a 200 must come from the cache."""
    first = {page: get(app, *page) for page in pages}
    assert stored(app) >= sum(r.status_code == 200 for r in first.values()) > 0
    with counting_renders(app) as renders:
        for page, response in first.items():
            assert get(app, *page).data == response.data
    assert renders == [] or all(name.startswith("errors/") for name in renders)
    return first


def assert_readers_get_the_truth(app, truth, pages) -> None:
    for base, path in pages:
        got, want = get(app, base, path), get(truth, base, path)
        assert (got.status_code, got.headers.get("ETag")) == (
            want.status_code,
            want.headers.get("ETag"),
        ), path
        assert got.data == want.data, path


def desk_publish(t):
    # The desk takes "now" from the system, not from the app's CLOCK: give the time instead.
    an_hour_ago = (t.clock() - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Paris"))
    response = t.desk.send(
        "/admin/posts/new",
        {"title": "Tout neuf", "slug": "", "language": "fr", "home_site": "blog", "summary": "",
         "source": "Texte.", "status": "published", "tags": "", "kind": "post", "version": "",
         "published_at": f"{an_hour_ago:%Y-%m-%dT%H:%M}", "action": "save"},
    )  # fmt: skip
    assert response.status_code == 302, response.text
    return [(BLOG, "/fr/", "Tout neuf"), (BLOG, "/fr/feed.atom", "Tout neuf")]


def edit(t):
    t.store.original.title = "Les grandes crues"
    t.session.commit()
    return [(BLOG, "/fr/", "Les grandes crues"), (BLOG, "/fr/category/crues/", "Les grandes")]


def unpublish(t):
    t.store.original.status = Status.DRAFT
    t.session.commit()
    return [(BLOG, "/fr/feed.atom", "!Les crues"), (BLOG, f"/fr/{t.store.month}/les-crues/", 404)]


def trash(t):
    t.desk.send(f"/admin/posts/{t.store.original.id}/trash")
    return [(BLOG, "/fr/", "!Les crues"), (BLOG, f"/fr/{t.store.month}/les-crues/", 404)]


def restore(t):
    t.desk.send(f"/admin/trash/{t.store.original.id}/restore")
    return [(BLOG, "/fr/", "Les crues"), (BLOG, f"/fr/{t.store.month}/les-crues/", 200)]


def coming_due(t):
    t.clock.advance(minutes=6)  # nothing is written: the clock passes the publication time
    return [(BLOG, "/fr/", "Bientôt là"), (BLOG, "/fr/feed.atom", "Bientôt là")]


def announcement(t):
    entry = t.session.scalar(select(Post).where(Post.kind == Kind.ANNOUNCEMENT))
    t.desk.send(
        f"/admin/announcements/{entry.id}",
        {"site": "blog", "language": "fr", "title": "Le livre est sorti", "slug": entry.slug,
         "source": entry.source, "status": "published"},
    )  # fmt: skip
    return [(BLOG, "/fr/", "Le livre est sorti"), (BLOG, "/fr/", "!Le livre paraît")]


def translation(t):
    t.make_post(language="it", slug="le-piene", title="Le piene", translation_of=t.store.original)
    return [(BLOG, "/it/", "Le piene"), (BLOG, f"/fr/{t.store.month}/les-crues/", "le-piene")]


def term_renamed(t):
    t.desk.send(
        f"/admin/terms/{t.store.floods.id}",
        {"slug": "crues", "name-fr": "Crues", "name-en": "Great floods", "name-it": ""},
    )
    return [(BLOG, "/en/category/crues/", "Great floods")]


def menu_reordered(t):
    contact, press = t.store.contact.id, t.store.press.id
    t.desk.send("/admin/menu/book", {f"order-{contact}": "2", f"order-{press}": "1"})
    return [(BOOK, "/", "Presse</a>")]


def wordpress_import(t):
    t.cli("import-wxr", str(DATA / "wxr" / "polylang.xml"), "--site", "blog")
    return [(BLOG, "/fr/", "Les rivières oubliées de Lyon"), (BLOG, "/sitemap-1.xml", "lyon")]


CHANGES = {
    "publish": (None, desk_publish),
    "edit": (None, edit),
    "unpublish": (None, unpublish),
    "trash": (None, trash),
    "restore": (trash, restore),
    "scheduled post coming due": (None, coming_due),
    "announcement changed": (None, announcement),
    "translation added": (None, translation),
    "term renamed": (None, term_renamed),
    "menu reordered": (None, menu_reordered),
    "import": (None, wordpress_import),
}


@pytest.mark.parametrize("name", CHANGES)
def test_no_reader_gets_a_stale_page_after_a_change(
    app, truth, store, desk, clock, cli, make_post, session, name
):
    prepare, change = CHANGES[name]
    t = SimpleNamespace(
        desk=desk, store=store, clock=clock, cli=cli, make_post=make_post, session=session
    )
    if prepare is not None:
        prepare(t)
    before = warm(app, store.pages)
    expected = change(t)
    session.expire_all()
    assert_readers_get_the_truth(app, truth, store.pages)
    for base, path, what in expected:
        response = get(app, base, path)
        if isinstance(what, int):
            assert response.status_code == what, path
        elif what.startswith("!"):
            assert what[1:] not in response.text, path
        else:
            assert what in response.text, path
        if (base, path) in before:
            assert response.data != before[(base, path)].data, path


PAGE_TYPES = [
    (BLOG, "/en/"),
    (BLOG, "/fr/{month}/les-crues/"),
    (BLOG, "/fr/category/crues/"),
    (BLOG, "/fr/{year}/"),
    (BLOG, "/fr/feed.atom"),
    (BLOG, "/sitemap.xml"),
    (BLOG, "/robots.txt"),
    (BOOK, "/contact/"),
]


@pytest.mark.parametrize(("base", "path"), PAGE_TYPES)
def test_a_warm_page_costs_the_stamp_and_no_rendering(app, store, count_queries, base, path):
    path = path.format(month=store.month, year=store.month[:4])
    with count_queries() as cold, counting_renders(app) as cold_renders:
        first = get(app, base, path)
    assert first.status_code == 200
    assert cold.count > 1 or path == "/robots.txt"
    assert cold_renders or path.endswith((".atom", ".xml", ".txt"))
    for method in ("GET", "HEAD"):
        with count_queries() as warm_queries, counting_renders(app) as renders:
            again = app.test_client().open(path, base_url=base, method=method)
        assert (warm_queries.count, renders) == (1, [])
        assert again.status_code == 200
        assert again.headers["Content-Type"] == first.headers["Content-Type"]
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.data == (first.data if method == "GET" else b"")


def test_the_negotiated_home_never_answers_another_readers_language(app, store):
    readers = [
        ({"Accept-Language": "en-GB,en;q=0.9"}, None, "/en/"),
        ({"Accept-Language": "it"}, None, "/it/"),
        ({"Accept-Language": "en"}, "it", "/it/"),  # an explicit choice wins over the browser
        ({}, None, "/fr/"),
        ({"Accept-Language": "de"}, "en", "/en/"),
    ]
    for _round in range(2):
        for headers, cookie, target in readers:
            client = app.test_client()
            if cookie:
                client.set_cookie("lang", cookie, domain="blog.localhost")
            response = client.get("/", base_url=BLOG, headers=headers)
            assert (response.status_code, response.location) == (302, target)
            assert response.headers["Vary"] == "Cookie, Accept-Language"
            page = client.get(target, base_url=BLOG, headers=headers)
            assert f'<html lang="{target.strip("/")}">' in page.text
    # A page without a prefix that is not found speaks each reader's language (kept per language).
    for language in ("en", "it", "fr", "en"):
        missing = get(app, BLOG, "/nowhere/", headers={"Accept-Language": language})
        assert missing.status_code == 404 and f'<html lang="{language}">' in missing.text
    # The book's bare / is its home; the blog's, with the same path, is still negotiated.
    assert get(app, BOOK, "/").status_code == 200
    assert get(app, BLOG, "/", headers={"Accept-Language": "it"}).location == "/it/"


def test_an_authors_browser_neither_reads_nor_fills_the_cache(app, store, desk):
    assert get(app, BLOG, "/en/").status_code == 200  # cached for readers
    with counting_renders(app) as renders:
        seen = desk.get("/en/")
    assert "public/home.html" in renders
    assert seen.headers["Cache-Control"] == "private, no-cache"
    before = stored(app)
    with counting_renders(app) as renders:
        assert desk.get("/fr/category/crues/").status_code == 200
        assert desk.get("/fr/category/crues/").status_code == 200
    assert renders.count("public/term.html") == 2 and stored(app) == before
    with counting_renders(app) as renders:
        reader = get(app, BLOG, "/fr/category/crues/")
    assert renders and reader.headers["Cache-Control"].startswith("public, max-age=")


@pytest.mark.parametrize(
    "query",
    [
        "utm_source=x",
        "page=1&utm_source=x",
        "page=2&page=2",
        "page=%31",
        "notice=elsewhere",
        "notice=untranslated&page=1",
        "page=1&",
        "page=999",
        "page=0",
    ],
)
def test_a_reader_cannot_fill_the_cache_with_query_strings(app, store, query):
    before = stored(app)
    for round in range(2):
        with counting_renders(app) as renders:
            response = get(app, BLOG, f"/fr/?{query}")
        if response.status_code == 200:
            assert renders  # rendered every time
        else:
            # A page that is not there: the 404 page of the reader's language, kept once.
            assert renders == (["errors/404.html"] if round == 0 else [])
    assert response.status_code in (200, 404)
    assert stored(app) == before + (response.status_code == 404)


def test_a_404_page_is_rendered_once_per_language_whatever_the_address(
    app, truth, store, desk, session, make_post
):
    probes = ["/wp-login.php", "/.env", "/fr/nulle/part/", "/en/2019/01/gone/", "/x/?y=1"]
    readers = [{}, {"Accept-Language": "en"}, {"Accept-Language": "it"}]
    before = stored(app)
    with counting_renders(app) as renders:
        for headers in readers:
            for probe in probes:
                got, want = (
                    get(app, BLOG, probe, headers=headers),
                    get(truth, BLOG, probe, headers=headers),
                )
                assert (got.status_code, got.data) == (404, want.data), probe
                assert got.headers["Content-Type"] == want.headers["Content-Type"]
    # 15 answers, 5 pages rendered and kept, one per reading: French, English and Italian
    # chosen by the browser, French and English named by the address (/fr/…, /en/…).
    assert renders.count("errors/404.html") == 5
    assert stored(app) == before + 5
    # A change to what the page shows (its menu) is seen at once, on every address.
    make_post(kind="page", sites=("blog",), slug="apropos", title="À propos", menu_order=1)
    for probe in probes[:2]:
        got, want = get(app, BLOG, probe), get(truth, BLOG, probe)
        assert got.data == want.data and "À propos" in got.text
    # An author's browser neither reads nor fills it: their header is their own.
    with counting_renders(app) as renders:
        for _ in range(2):
            assert desk.get("/wp-login.php").status_code == 404
    assert renders.count("errors/404.html") == 2


@pytest.mark.parametrize("query", ["page=1", "notice=untranslated", "page=1&notice=untranslated"])
def test_the_query_strings_the_site_writes_are_cached(app, store, query):
    get(app, BLOG, f"/fr/?{query}")
    with counting_renders(app) as renders:
        assert get(app, BLOG, f"/fr/?{query}").status_code == 200
    assert renders == []


def test_pages_are_served_while_redis_is_down(database_url, make_post):
    down = make_app(
        {"DATABASE_URL": database_url, "PAGE_CACHE": "redis", "REDIS_URL": "redis://127.0.0.1:9/0"}
    )
    make_post(language="fr", title="Toujours là")
    for _ in range(3):
        response = get(down, BLOG, "/fr/")
        assert response.status_code == 200 and "Toujours là" in response.text
    down.extensions["page_cache"].client.close()
    with down.app_context():
        db.engine().dispose()


def test_the_cache_can_be_turned_off(database_url, make_post):
    off = make_app({"DATABASE_URL": database_url, "PAGE_CACHE": "off"})
    make_post(language="fr")
    with counting_renders(off) as renders:
        for _ in range(2):
            assert get(off, BLOG, "/fr/").status_code == 200
    assert renders.count("public/home.html") == 2
    with off.app_context():
        db.engine().dispose()
    with pytest.raises(ValueError, match="REDIS_URL"):
        make_app({"DATABASE_URL": database_url, "PAGE_CACHE": "redis"})


def test_the_build_id_follows_what_renders_pages(database_url, tmp_path):
    """A deployment that changes a template, the sites file or a rendering setting changes
    every ETag and cache key; the same code and settings give the same id in every process."""

    def build_id(**config):
        return make_app({"DATABASE_URL": database_url, **config}).config["BUILD_ID"]

    same = tmp_path / "same"
    edited = tmp_path / "edited"
    for folder in (same, edited):
        shutil.copytree(DEFAULTS["TEMPLATES_DIR"], folder)
    base = edited / "base.html"
    base.write_text(base.read_text() + "\n")
    sites = tmp_path / "sites.toml"
    sites.write_text((DATA / "sites.toml").read_text() + "\n# edited\n")

    reference = build_id()
    assert build_id() == reference
    assert build_id(TEMPLATES_DIR=str(same)) == reference
    assert build_id(TEMPLATES_DIR=str(edited)) != reference
    assert build_id(SITES_FILE=str(sites)) != reference
    assert build_id(POSTS_PER_PAGE=3) != reference
