"""Atom and RSS feeds: parseable, in the right language, with absolute links."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(response):
    assert response.status_code == 200
    return etree.fromstring(response.data)


def test_atom_feed_per_site_and_language(blog, make_post):
    make_post(language="en", slug="hello", title="Hello", source="See [this](/en/about/).")
    response = blog.get("/en/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = parse(response)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get(XML_LANG) == "en"
    assert feed.findtext(f"{ATOM}title") == "Research notebook"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://blog.localhost:5000/en/feed.atom"
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Hello"
    assert entry.find(f"{ATOM}link").get("href") == "http://blog.localhost:5000/en/2025/03/hello/"
    content = entry.findtext(f"{ATOM}content")
    assert 'href="http://blog.localhost:5000/en/about/"' in content
    assert entry.findtext(f"{ATOM}id").startswith("tag:blog.localhost,")


def test_feed_titles_are_in_the_feed_language(blog, book):
    assert parse(blog.get("/it/feed.atom")).findtext(f"{ATOM}title") == "Quaderno di ricerca"
    assert parse(book.get("/feed.atom")).findtext(f"{ATOM}title") == "La Mémoire des rivières"


def test_rss_feed_per_site_and_language(book, make_post):
    make_post(language="fr", sites=("book",), slug="sortie", title="La sortie")
    response = book.get("/feed.rss")
    assert response.mimetype == "application/rss+xml"
    rss = parse(response)
    channel = rss.find("channel")
    assert rss.get("version") == "2.0"
    assert channel.findtext("language") == "fr"
    assert channel.findtext("link") == "http://book.localhost:5000/"
    item = channel.find("item")
    assert item.findtext("link") == "http://book.localhost:5000/2025/03/sortie/"
    assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    assert item.find("guid").get("isPermaLink") == "false"


def test_entry_id_survives_a_slug_and_title_change(blog, make_post, session):
    post = make_post(language="en", slug="first-name", title="First")
    before = parse(blog.get("/en/feed.atom")).findtext(f"{ATOM}entry/{ATOM}id")
    post.slug, post.title = "second-name", "Second"
    session.commit()
    entry = parse(blog.get("/en/feed.atom")).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == before
    assert entry.findtext(f"{ATOM}title") == "Second"


def test_feed_lists_only_what_the_site_publishes(book, make_post):
    make_post(language="fr", sites=("blog",), title="Blog only")
    make_post(language="fr", sites=("book",), title="Book post")
    make_post(language="fr", sites=("book",), title="Draft", status="draft")
    make_post(
        language="fr", sites=("book",), title="Later", published_at=datetime(2999, 1, 1, tzinfo=UTC)
    )
    titles = parse(book.get("/feed.atom")).xpath(
        "//a:entry/a:title/text()", namespaces={"a": ATOM[1:-1]}
    )
    assert titles == ["Book post"]


def test_empty_feed_is_still_valid(blog):
    feed = parse(blog.get("/en/feed.atom"))
    assert feed.find(f"{ATOM}entry") is None
    assert parse(blog.get("/en/feed.rss")).find("channel/title").text == "Research notebook"
