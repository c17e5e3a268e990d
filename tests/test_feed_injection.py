"""Feeds read as a feed reader reads them: no plain-text field ever becomes live markup.

The attack corpus of tests/data/xss goes into the summaries, titles and term names of posts;
each feed format (site, category and tag scope) is then parsed the way a reader parses it, the
HTML it would render is taken out (RSS <description> unescaped once, Atom content and summary
according to their type, JSON Feed content_html as HTML and summary as text), and the oracle of
test_xss.py judges it.
"""

from __future__ import annotations

import html
import json

import html5lib
import pytest
from lxml import etree

from blog.models import Term
from blog.rendering import CONTROL_CHARACTERS
from tests.test_xss import CORPUS, dangers

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
VECTORS = [param.values[0] for param in CORPUS]
# What a title or a term name can hold: the columns' lengths (PostgreSQL refuses more).
TITLE_MAX, NAME_MAX = 300, 200


def reader_text(fragment: str) -> str:
    """Return the text a browser shows for an HTML fragment."""
    tree = html5lib.parseFragment(fragment, namespaceHTMLElements=False)
    return "".join(tree.itertext())


def atom_html(element) -> str:
    """Return the HTML an Atom reader renders for a text construct, according to its type."""
    kind = element.get("type", "text")
    if kind == "html":
        return element.text or ""
    if kind == "xhtml":
        return "".join(etree.tostring(child, encoding="unicode") for child in element)
    return html.escape(element.text or "")


def rendered(path: str, data: bytes) -> tuple[list[str], list[str], list[str]]:
    """Return (HTML rendered, plain titles, plain category labels) of a feed, as a reader."""
    fragments, titles, labels = [], [], []
    if path.endswith(".json"):
        document = json.loads(data)
        titles.append(document["title"])
        for item in document["items"]:
            fragments.append(item["content_html"])
            fragments.append(html.escape(item.get("summary", "")))
            titles.append(item["title"])
            labels.extend(item["tags"])
    elif path.endswith(".rss"):
        channel = etree.fromstring(data).find("channel")
        titles.append(channel.findtext("title"))
        for item in channel.iter("item"):
            # RSS readers render <description> (and content:encoded) as HTML.
            fragments.append(item.findtext("description") or "")
            fragments.append(item.findtext(CONTENT) or "")
            titles.append(item.findtext("title"))
            labels.extend(c.text for c in item.iter("category"))
    else:
        feed = etree.fromstring(data)
        for element in (feed.find(f"{ATOM}title"), *feed.iter(f"{ATOM}entry")):
            if element.tag == f"{ATOM}title":
                assert element.get("type", "text") == "text"
                titles.append(element.text)
                continue
            title = element.find(f"{ATOM}title")
            assert title.get("type", "text") == "text"
            titles.append(title.text)
            for name in ("content", "summary"):
                found = element.find(f"{ATOM}{name}")
                if found is not None:
                    fragments.append(atom_html(found))
            labels.extend(c.get("label") for c in element.iter(f"{ATOM}category"))
    return fragments, titles, labels


@pytest.fixture
def hostile(app, make_post, make_term, session):
    """One post per vector: the vector as its title, summary and tag name; all in one category."""
    app.config["FEED_SIZE"] = len(VECTORS) + 10
    name = CONTROL_CHARACTERS.sub("", VECTORS[0])[:NAME_MAX]
    category = make_term("category", "attacks", en=name, fr="Attaques")
    posts = []
    for n, vector in enumerate(VECTORS):
        tag = Term(kind="tag", slug=f"vector-{n}")
        # PostgreSQL refuses a NUL in text: names go in as the desk would store them.
        tag.set_name("en", CONTROL_CHARACTERS.sub("", vector)[:NAME_MAX])
        session.add(tag)
        posts.append(
            make_post(
                language="en",
                title=vector[:TITLE_MAX],
                summary=vector,
                terms=(category, tag),
                commit=False,
            )
        )
    session.commit()
    return posts


SCOPES = ["/en/feed.{}", "/en/category/attacks/feed.{}"]
FORMATS = ["atom", "rss", "json"]


SAFE: set[str] = set()  # fragments already found harmless: the same in several feeds


def check_feed(blog, path: str, expected: set[str]) -> int:
    response = blog.get(path)
    assert response.status_code == 200, path
    fragments, titles, labels = rendered(path, response.data)
    for fragment in set(fragments) - SAFE:
        assert dangers(fragment) == [], (path, fragment)
        SAFE.add(fragment)
    # Titles and labels are text: a reader shows them as they were typed, markup and all.
    assert set(titles[1:]) <= expected, path
    assert all(label is not None for label in labels)
    return len(titles) - 1


@pytest.mark.once  # the sanitizer and the feed writers: the same on any database
def test_the_attack_corpus_stays_inert_in_every_feed_format_and_scope(blog, hostile):
    # One store for every format and scope: building a thousand posts is the slow part.
    expected = {post.title for post in hostile}
    for format in FORMATS:
        for scope in SCOPES:
            assert check_feed(blog, scope.format(format), expected) == len(hostile)
        for n in range(0, len(VECTORS), 25):
            path = f"/en/tag/vector-{n}/feed.{format}"
            assert check_feed(blog, path, {hostile[n].title}) == 1


@pytest.mark.parametrize("format", FORMATS)
def test_rss_and_json_summaries_are_the_typed_text(blog, make_post, format):
    typed = '<img src=x onerror=alert(document.domain)> & "quotes"'
    make_post(language="en", title="<b>Bold?</b>", summary=typed, source="Body.")
    response = blog.get(f"/en/feed.{format}")
    fragments, titles, _labels = rendered(f"feed.{format}", response.data)
    # The reader shows the summary as it was typed: escaped, not interpreted.
    assert typed in [reader_text(fragment) for fragment in fragments]
    assert "<b>Bold?</b>" in titles
    if format == "rss":
        description = etree.fromstring(response.data).find("channel/item/description").text
        assert description.startswith("<p>&lt;img src=x onerror=")


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("scope", ["/en/feed.{}", "/en/tag/bell/feed.{}", "/en/category/c/feed.{}"])
def test_a_control_character_in_a_term_name_does_not_break_a_feed(
    blog, make_post, make_term, scope, format
):
    bell = make_term("tag", "bell", en="ring\x07the\x1bbell\x01")
    category = make_term("category", "c", en="odd\x0bcategory")
    make_post(language="en", title="Rings", terms=(bell, category))
    response = blog.get(scope.format(format))
    assert response.status_code == 200
    _fragments, _titles, labels = rendered(scope.format(format), response.data)
    assert "ringthebell" in labels
    assert "oddcategory" in labels
