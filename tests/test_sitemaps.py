"""Sitemaps and robots.txt: valid, per domain, with reciprocal hreflang alternates."""

from pathlib import Path

import pytest
from lxml import etree

SCHEMAS = Path(__file__).with_name("data") / "schemas"
SITEMAP_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-with-alternates.xsd")))
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def entries(client) -> dict[str, dict]:
    document = etree.fromstring(client.get("/sitemap.xml").data)
    assert SITEMAP_SCHEMA.validate(document), SITEMAP_SCHEMA.error_log
    found = {}
    for url in document.findall("s:url", NS):
        found[url.findtext("s:loc", namespaces=NS)] = {
            "lastmod": url.findtext("s:lastmod", namespaces=NS),
            "alternates": {
                link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
            },
        }
    return found


@pytest.fixture
def store(make_post, make_term, session):
    rivers = make_term("category", "rivers", fr="Rivières", en="Rivers")
    book_fr = make_post(language="fr", sites=("book",), slug="sortie", terms=(rivers,))
    make_post(language="en", sites=("blog",), slug="release", translation_of=book_fr)
    blog_fr = make_post(language="fr", sites=("blog", "book"), slug="carnet")
    make_post(language="it", sites=("blog",), slug="taccuino", translation_of=blog_fr)
    make_post(language="en", sites=("blog",), slug="english-only")
    make_post(kind="page", sites=("book",), slug="contact", title="Contact")
    make_post(language="fr", sites=("book",), slug="brouillon", status="draft")


def test_sitemaps_validate_and_list_only_their_domain(blog, book, store):
    for client, origin in (
        (blog, "http://blog.localhost:5000/"),
        (book, "http://book.localhost:5000/"),
    ):
        urls = entries(client)
        assert urls and all(loc.startswith(origin) for loc in urls)


def test_sitemap_lists_canonical_pages_only(blog, book, store):
    blog_urls, book_urls = entries(blog), entries(book)
    assert "http://blog.localhost:5000/fr/2025/03/carnet/" in blog_urls
    # The cross-posted copy on the book site is not canonical: not in the book's sitemap.
    assert not any("carnet" in loc for loc in book_urls)
    assert "http://book.localhost:5000/contact/" in book_urls
    assert not any("brouillon" in loc for loc in book_urls)
    # A fallback address (/fr/… showing an English post) is never listed.
    assert not any(loc.startswith("http://blog.localhost:5000/fr/") and "english-only" in loc
                   for loc in blog_urls)  # fmt: skip


def test_posts_have_lastmod_and_homes_have_language_alternates(blog, store):
    urls = entries(blog)
    assert urls["http://blog.localhost:5000/en/2025/03/release/"]["lastmod"]
    assert urls["http://blog.localhost:5000/fr/"]["alternates"] == {
        "fr": "http://blog.localhost:5000/fr/",
        "en": "http://blog.localhost:5000/en/",
        "it": "http://blog.localhost:5000/it/",
        "x-default": "http://blog.localhost:5000/",
    }


def test_hreflang_sets_are_reciprocal_across_both_sitemaps(blog, book, store):
    urls = {**entries(blog), **entries(book)}
    for loc, entry in urls.items():
        alternates = entry["alternates"]
        if not alternates:
            continue
        assert "x-default" in alternates
        assert loc in alternates.values(), loc  # every page names itself
        for language, href in alternates.items():
            if language != "x-default":
                assert href in urls, href  # the alternate is listed too…
                assert urls[href]["alternates"] == alternates  # …and names the same set
    cross = urls["http://book.localhost:5000/2025/03/sortie/"]["alternates"]
    assert cross["en"] == "http://blog.localhost:5000/en/2025/03/release/"


def test_robots_txt_points_to_the_sitemap_and_keeps_the_desk_out(blog, book):
    for client, origin in (
        (blog, "http://blog.localhost:5000"),
        (book, "http://book.localhost:5000"),
    ):
        text = client.get("/robots.txt").text
        assert "Disallow: /admin/" in text
        assert f"Sitemap: {origin}/sitemap.xml" in text
