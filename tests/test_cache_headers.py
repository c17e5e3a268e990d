"""Cache-Control and Vary per kind of answer: what a browser, a proxy or a CDN may keep.

Readers' pages and feeds may be kept briefly by anyone (`public, max-age, stale-while-
revalidate`); what a browser carrying the desk's cookie sees is private; only answers whose
language was negotiated vary on the cookie and Accept-Language.
"""

import pytest

from blog import db

from .helpers import BLOG, BOOK, make_app

PUBLIC = "public, max-age=60, stale-while-revalidate=300"


@pytest.fixture
def pages(make_post, make_term):
    floods = make_term("category", "crues", fr="Crues", en="Floods")
    maps = make_term("tag", "cartes", fr="Cartes", en="Maps")
    post = make_post(language="fr", slug="les-crues", terms=(floods, maps))
    make_post(kind="page", sites=("book",), slug="contact", title="Contact")
    month = post.published_at.strftime("%Y/%m")
    return [
        (BLOG, "/fr/"),
        (BLOG, "/en/?page=1"),
        (BLOG, f"/fr/{month}/les-crues/"),
        (BLOG, "/fr/category/crues/"),
        (BLOG, "/en/tag/cartes/"),
        (BLOG, f"/fr/{month[:4]}/"),
        (BLOG, f"/fr/{month}/"),
        (BLOG, "/fr/feed.atom"),
        (BLOG, "/en/feed.rss"),
        (BLOG, "/it/feed.json"),
        (BLOG, "/fr/category/crues/feed.atom"),
        (BLOG, "/sitemap.xml"),
        (BLOG, "/robots.txt"),
        (BOOK, "/"),
        (BOOK, "/contact/"),
        (BOOK, f"/{month}/"),
        (BOOK, "/feed.atom"),
        (BOOK, "/sitemap.xml"),
    ]


def test_readers_pages_and_feeds_may_be_kept_briefly_by_anyone(app, pages):
    for base, path in pages:
        client = app.test_client()
        for headers in ({}, {"Accept-Language": "it", "Cookie": "lang=en"}):
            response = client.get(path, base_url=base, headers=headers)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == PUBLIC, path
            # One copy for every reader; the blog's listings depend on one choice (a cookie,
            # "only in my language"), which only the readers who made it send.
            listing = base == BLOG and path.endswith(("/", "?page=1")) and "les-crues" not in path
            assert response.headers.get("Vary") == ("Cookie" if listing else None), path
            assert "Set-Cookie" not in response.headers, path
        etag = response.headers["ETag"]
        current = client.get(path, base_url=base, headers={"If-None-Match": etag})
        assert current.status_code == 304, path
        assert current.headers["Cache-Control"] == PUBLIC and current.headers["ETag"] == etag


def test_the_negotiated_home_varies_on_the_cookie_and_the_browser(app, blog):
    response = blog.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert response.headers["Vary"] == "Cookie, Accept-Language"
    assert "public" not in response.headers.get("Cache-Control", "")
    missing = blog.get("/nowhere/")
    assert missing.status_code == 404 and missing.headers["Vary"] == "Cookie, Accept-Language"
    assert "public" not in missing.headers.get("Cache-Control", "")


def test_files_do_not_vary_on_the_readers_language(app, blog, book):
    for client in (blog, book):
        response = client.get("/static/site.css", headers={"Accept-Language": "it"})
        assert response.status_code == 200 and "Vary" not in response.headers
        response.close()


def test_a_language_choice_is_never_kept_by_a_shared_cache(app, blog):
    response = blog.get("/language/en?next=/en/")
    assert response.status_code == 303 and "Set-Cookie" in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")


def test_what_a_signed_in_author_sees_is_private(desk, pages):
    # The desk's cookie is the blog's (signing in on the book site is another session).
    for path in [path for base, path in pages if base == BLOG]:
        response = desk.get(path)
        assert response.headers["Cache-Control"] == "private, no-cache", path
    assert desk.get("/admin/").headers["Cache-Control"] == "no-store"


def test_the_lifetimes_are_settings(database_url, make_post):
    app = make_app(
        {"DATABASE_URL": database_url, "CACHE_MAX_AGE": 5, "CACHE_STALE_WHILE_REVALIDATE": 30}
    )
    make_post(language="fr")
    response = app.test_client().get("/fr/", base_url=BLOG)
    with app.app_context():
        db.engine().dispose()  # its pooled connection, closed now rather than by the collector
    assert response.headers["Cache-Control"] == "public, max-age=5, stale-while-revalidate=30"
