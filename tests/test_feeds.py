"""Atom and RSS feeds: parseable, in the right language, with absolute links."""

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from lxml import etree

from blog import mediastore

from .helpers import image_bytes

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


# --- validation against the standards -----------------------------------------------------

SCHEMAS = Path(__file__).with_name("data") / "schemas"
ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|GMT|UT|[A-Z]{3})$"
)
JSON_ITEM_FIELDS = {"id", "url", "title", "content_html", "summary", "image", "date_published",
                    "date_modified", "authors", "tags", "language"}  # fmt: skip
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def rich(make_post, make_term):
    """Posts in three languages, with terms, a relative link and an image."""
    rivers = make_term("category", "rivers", fr="Rivières", en="Rivers", it="Fiumi")
    maps = make_term("tag", "maps", fr="Cartes", en="Maps", it="Mappe")
    fr = make_post(language="fr", title="Les crues", terms=(rivers, maps),
                   source="Voir [ceci](/fr/about/) et ![une carte](/media/carte.png)",
                   summary="Un résumé.")  # fmt: skip
    make_post(language="en", title="Floods", translation_of=fr, terms=(rivers,))
    make_post(language="en", title="Only English", terms=(maps,))
    make_post(language="fr", sites=("book",), title="Au livre", terms=(rivers,))
    return rivers, maps


FEED_PATHS = [
    ("blog", "/fr/feed.{}"),
    ("blog", "/en/feed.{}"),
    ("blog", "/it/feed.{}"),
    ("book", "/feed.{}"),
    ("blog", "/fr/category/rivers/feed.{}"),
    ("blog", "/en/tag/maps/feed.{}"),
    ("book", "/category/rivers/feed.{}"),
]


def client_for(request, site):
    return request.getfixturevalue(site)


@pytest.mark.parametrize(("site", "path"), FEED_PATHS)
def test_atom_feeds_validate_against_rfc_4287(request, rich, site, path):
    response = client_for(request, site).get(path.format("atom"))
    document = etree.fromstring(response.data)
    assert ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log


def test_the_atom_schema_catches_a_broken_feed(blog, rich):
    document = etree.fromstring(blog.get("/fr/feed.atom").data)
    entry = document.find(f"{ATOM}entry")
    entry.remove(entry.find(f"{ATOM}id"))
    assert not ATOM_SCHEMA.validate(document)


@pytest.mark.parametrize(("site", "path"), FEED_PATHS)
def test_rss_feeds_follow_the_rss_2_rules(request, rich, site, path):
    rss = etree.fromstring(client_for(request, site).get(path.format("rss")).data)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required), required
    assert re.fullmatch(r"[a-z]{2,3}(-[a-z]{2})?", channel.findtext("language"))
    assert RFC822.match(channel.findtext("lastBuildDate"))
    for item in channel.findall("item"):
        assert item.findtext("title") or item.findtext("description")
        assert RFC822.match(item.findtext("pubDate")), item.findtext("pubDate")
        assert item.findtext("link").startswith("http://")
        assert item.find("guid").get("isPermaLink") == "false"
        language = item.findtext("{http://purl.org/dc/elements/1.1/}language")
        assert language in {"fr", "en", "it"}


@pytest.mark.parametrize(("site", "path"), FEED_PATHS)
def test_json_feeds_follow_json_feed_1_1(request, rich, site, path):
    response = client_for(request, site).get(path.format("json"))
    assert response.mimetype == "application/feed+json"
    feed = json.loads(response.data)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"].startswith("http://") and feed["home_page_url"].startswith("http://")
    assert feed["language"] in {"fr", "en", "it"}
    assert all(isinstance(a["name"], str) for a in feed["authors"])
    assert isinstance(feed["items"], list) and feed["items"]
    ids = [item["id"] for item in feed["items"]]
    assert len(ids) == len(set(ids)) and all(isinstance(i, str) for i in ids)
    for item in feed["items"]:
        assert item.get("content_html") or item.get("content_text")
        assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])
        assert item["url"].startswith("http://")
        assert item["language"] in {"fr", "en", "it"}
        assert set(item) <= JSON_ITEM_FIELDS


def test_each_entry_says_its_language(blog, rich):
    document = etree.fromstring(blog.get("/fr/feed.atom").data)
    languages = {e.findtext(f"{ATOM}title"): e.get(XML_LANG) for e in document.iter(f"{ATOM}entry")}
    assert languages == {"Les crues": "fr", "Only English": "en"}
    items = json.loads(blog.get("/fr/feed.json").data)["items"]
    assert {i["title"]: i["language"] for i in items} == languages


def test_feed_content_has_absolute_links_and_images(blog, rich):
    item = next(
        i for i in json.loads(blog.get("/fr/feed.json").data)["items"] if i["title"] == "Les crues"
    )
    assert 'href="http://blog.localhost:5000/fr/about/"' in item["content_html"]
    assert 'src="http://blog.localhost:5000/media/carte.png"' in item["content_html"]
    assert item["image"] == "http://blog.localhost:5000/media/carte.png"
    assert item["tags"] == ["Rivières", "Cartes"]


def test_term_feeds_list_only_their_term_and_say_so(blog, rich):
    feed = json.loads(blog.get("/en/tag/maps/feed.json").data)
    assert feed["title"] == "Research notebook — Tag: Maps"
    assert [i["title"] for i in feed["items"]] == ["Only English"]
    assert feed["feed_url"] == "http://blog.localhost:5000/en/tag/maps/feed.json"


def test_updated_changes_when_a_post_is_edited(blog, make_post, session):
    post = make_post(language="en", title="Before")
    first = etree.fromstring(blog.get("/en/feed.atom").data).findtext(f"{ATOM}entry/{ATOM}updated")
    post.set_source("Edited text.")
    post.updated_at = datetime(2026, 1, 1, tzinfo=UTC)
    session.commit()
    second = etree.fromstring(blog.get("/en/feed.atom").data).findtext(f"{ATOM}entry/{ATOM}updated")
    assert first != second and second.startswith("2026-01-01")


@pytest.mark.parametrize("path", ["/fr/feed.xml", "/fr/category/nope/feed.atom"])
def test_unknown_feeds_are_404(blog, path):
    assert blog.get(path).status_code == 404


def test_a_featured_image_is_each_feeds_enclosure_or_image(
    app, blog, make_post, media_folder, session
):
    with app.test_request_context("/admin/"):
        media = mediastore.save_upload(
            session, image_bytes(1200, 800, "JPEG"), "une.jpg", datetime(2026, 1, 1, tzinfo=UTC)
        )
        session.commit()
    make_post(language="fr", title="À la une", featured_media_id=media.id,
              source="![La une](/media/une.jpg)")  # fmt: skip
    card = f"http://blog.localhost:5000/media/v/une.{media.fingerprint}.card.jpg"
    size = (media_folder / "v" / f"une.{media.fingerprint}.card.jpg").stat().st_size
    document = etree.fromstring(blog.get("/fr/feed.atom").data)
    assert ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log
    (link,) = [e for e in document.iter(f"{ATOM}link") if e.get("rel") == "enclosure"]
    assert (link.get("href"), link.get("type"), link.get("length")) == (
        card,
        "image/jpeg",
        str(size),
    )
    rss = etree.fromstring(blog.get("/fr/feed.rss").data)
    enclosure = rss.find("channel/item/enclosure")
    assert enclosure.get("url") == card and enclosure.get("length") == str(size)
    (item,) = json.loads(blog.get("/fr/feed.json").data)["items"]
    assert item["image"] == card
    # The picture's copies in the text are absolute too, srcset included.
    assert (
        f"http://blog.localhost:5000/media/v/une.{media.fingerprint}.w480.webp 480w"
        in (item["content_html"])
    )
    assert 'srcset="/media' not in item["content_html"]


def test_heading_permalinks_stay_out_of_feed_content(blog, make_post):
    make_post(language="en", source="## What the cellar shows\n\nText.")
    content = parse(blog.get("/en/feed.atom")).findtext(
        "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content"
    )
    assert "What the cellar shows</h2>" in content
    assert "heading-anchor" not in content and "#</" not in content
