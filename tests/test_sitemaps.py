"""Sitemaps and robots.txt: an index of chunks per domain, valid, with reciprocal hreflang."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from blog import sitemaps

SCHEMAS = Path(__file__).with_name("data") / "schemas"
SITEMAP_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-with-alternates.xsd")))
INDEX_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "siteindex.xsd")))
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def chunk_paths(client) -> list[str]:
    """Return the paths of the chunks a site's sitemap index lists, checking the index."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    document = etree.fromstring(response.data)
    assert INDEX_SCHEMA.validate(document), INDEX_SCHEMA.error_log
    locs = document.xpath("s:sitemap/s:loc/text()", namespaces=NS)
    origin = "http://" + client.base_url.removeprefix("http://") + ":5000"
    assert all(loc.startswith(origin + "/") for loc in locs)
    return [urlsplit(loc).path for loc in locs]


def entries(client) -> dict[str, dict]:
    """Return every URL of a site's sitemap (all its chunks), with its lastmod and alternates."""
    found = {}
    for path in chunk_paths(client):
        document = etree.fromstring(client.get(path).data)
        assert SITEMAP_SCHEMA.validate(document), SITEMAP_SCHEMA.error_log
        for url in document.findall("s:url", NS):
            loc = url.findtext("s:loc", namespaces=NS)
            assert loc not in found, f"{loc} is listed twice"
            found[loc] = entry(url)
    return found


def entry(url) -> dict:
    return {
        "lastmod": url.findtext("s:lastmod", namespaces=NS),
        "alternates": {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
        },
    }


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


@pytest.fixture
def small_chunks(app):
    app.config["SITEMAP_CHUNK_SIZE"] = 3


def test_chunks_split_the_same_urls_and_keep_their_alternates(app, blog, book, store):
    whole = {**entries(blog), **entries(book)}
    app.config["SITEMAP_CHUNK_SIZE"] = 3
    # Settings are read at start-up (they are part of the build id): a restart empties the cache.
    app.extensions["page_cache"].clear()
    chunked = {**entries(blog), **entries(book)}
    assert chunked == whole
    paths = chunk_paths(blog)
    # 4 canonical posts, then 3 homes: 7 URLs in 3 chunks.
    assert paths == ["/sitemap-1.xml", "/sitemap-2.xml", "/sitemap-3.xml"]
    sizes = [len(etree.fromstring(blog.get(p).data).findall("s:url", NS)) for p in paths]
    assert sizes == [3, 3, 1]


def test_a_chunk_past_the_last_is_not_found(blog, store, small_chunks):
    assert blog.get("/sitemap-3.xml").status_code == 200
    assert blog.get("/sitemap-4.xml").status_code == 404
    assert blog.get("/sitemap-0.xml").status_code == 404
    assert blog.get("/sitemap-x.xml").status_code == 404


def test_the_index_dates_each_chunk_by_its_newest_change(blog, store, small_chunks):
    index = etree.fromstring(blog.get("/sitemap.xml").data)
    dated = dict(
        zip(
            index.xpath("s:sitemap/s:loc/text()", namespaces=NS),
            index.xpath("s:sitemap/s:lastmod/text()", namespaces=NS),
            strict=True,
        )
    )
    for loc, lastmod in dated.items():
        chunk = etree.fromstring(blog.get(urlsplit(loc).path).data)
        assert lastmod == max(chunk.xpath("s:url/s:lastmod/text()", namespaces=NS)), loc


def test_a_new_post_joins_the_last_chunk(blog, make_post, store, small_chunks):
    before = {p: blog.get(p).data for p in chunk_paths(blog)}
    make_post(language="en", sites=("blog",), slug="newest")
    texts = [blog.get(path).text for path in chunk_paths(blog)]
    with_posts = [i for i, text in enumerate(texts) if "/2025/" in text]
    # It follows the older posts, before the listing pages.
    assert [i for i, text in enumerate(texts) if "newest" in text] == with_posts[-1:]
    # Earlier chunks hold the same posts (oldest first); only the listings move along.
    assert blog.get("/sitemap-1.xml").data == before["/sitemap-1.xml"]


def test_sitemaps_are_machines_documents_the_same_in_every_language(blog, store):
    for path in ("/sitemap.xml", "/sitemap-1.xml", "/robots.txt"):
        answers = [blog.get(path, headers={"Accept-Language": lang}) for lang in ("en", "it")]
        assert answers[0].data == answers[1].data
        assert answers[0].headers["ETag"] == answers[1].headers["ETag"]
        assert "Accept-Language" not in answers[0].headers.get("Vary", "")


def test_a_warm_chunk_costs_the_validators_queries_only(blog, store, count_queries):
    first = blog.get("/sitemap-1.xml")
    with count_queries() as counter:
        again = blog.get("/sitemap-1.xml")
    # The fast path answers with one raw statement the ORM counter does not see; Flask's path
    # would run the stamp's one statement. Either way, no chunk is rebuilt.
    assert counter.count <= 1
    assert again.data == first.data
    assert (
        blog.get("/sitemap-1.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )


def test_a_kept_chunk_is_never_stale(blog, make_post, session, store, clock):
    from datetime import timedelta

    blog.get("/sitemap-1.xml")
    post = make_post(
        language="en", sites=("blog",), slug="later", published_at=clock() + timedelta(hours=1)
    )
    assert "later" not in blog.get("/sitemap-1.xml").text
    clock.advance(hours=2)  # it comes due: no write, only the clock moves
    assert "later" in blog.get("/sitemap-1.xml").text
    post.status = "draft"
    session.commit()
    assert "later" not in blog.get("/sitemap-1.xml").text


@pytest.mark.slow
def test_the_index_counts_the_listing_urls_without_building_them(app, session, clock):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for site in app.extensions["sites"]:
            built = sitemaps.listing_urls(session, site, clock(), None)
            for kind in ("/category/", "/tag/"):
                assert any(kind in url.loc for url in built), (site.key, kind)
            assert sitemaps.listing_count(session, site, clock()) == len(built), site.key
