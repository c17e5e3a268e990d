"""Atom and RSS feeds built with feedgen, and JSON Feed 1.1, from posts and the sites file.

Nothing here reads the request: every URL comes from a site's configured origin (urls.py), so
the builders need an app context (the sites, the URL map) but no request data; their few labels
("Read on …") are in the interface language in force, the feed's own on a feed's address.
Each format is built from the same items (FeedItem), so the three agree on ids, links, dates,
languages and content. An entry's content is the stored sanitized HTML with its links made
absolute (absolute_links) and, for an announcement, an escaped "Read on …" link appended: the
only rewrite of rendering's output, on a string for XML and JSON, never on Markup.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lxml import etree

from . import clock
from .config import media_dir
from .models import Post
from .rendering import CONTROL_CHARACTERS, clean_html
from .sites import Site, registry
from .urls import canonical_url

# rendering.clean_html serializes every attribute with double quotes, so this is exact.
URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
SRCSET_ATTRIBUTE = re.compile(r'\bsrcset="([^"]*)"')
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_ENTRY = "{http://www.w3.org/2005/Atom}entry"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass
class FeedMeta:
    """What describes a feed: its addresses, title and description, in the feed's language."""

    feed_url: str
    home_url: str
    title: str
    subtitle: str


@dataclass
class FeedItem:
    id: str
    url: str
    title: str
    language: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str
    categories: list[tuple[str, str]]  # (slug, name)
    image: str | None
    # The featured image's sharing card (absolute address, bytes), as an enclosure.
    enclosure: tuple[str, int] | None = None


def plain(text: str) -> str:
    """Return a plain-text field as feeds carry it: without the characters XML cannot hold."""
    # The store refuses most of them, but an old row or an import may still have one, and one
    # such character in a tag name must not take down every feed listing the post.
    return CONTROL_CHARACTERS.sub("", text or "")


def summary_html(summary: str) -> str:
    """Return a plain-text summary as the HTML that RSS readers expect in <description>."""
    # Cleaned like every other HTML we hand out, so that it is a fixed point of the sanitizer.
    return clean_html(f"<p>{html.escape(plain(summary), quote=False)}</p>")


def absolute_links(content: str, base: str) -> str:
    """Return `content` with every relative href, src and srcset made absolute against `base`."""

    def join(match: re.Match) -> str:
        url = urljoin(base, html.unescape(match.group(2)))
        return f'{match.group(1)}="{html.escape(url)}"'

    def join_each(match: re.Match) -> str:
        candidates = []
        for candidate in html.unescape(match.group(1)).split(","):
            url, _space, descriptor = candidate.strip().partition(" ")
            candidates.append(f"{urljoin(base, url)} {descriptor}".strip())
        return f'srcset="{html.escape(", ".join(candidates))}"'

    return SRCSET_ATTRIBUTE.sub(join_each, URL_ATTRIBUTE.sub(join, content))


def _size(path: str) -> int:
    """Return the size of a media file by its address (0 when it is missing)."""
    try:
        return (media_dir() / path.removeprefix("/media/")).stat().st_size
    except OSError:
        return 0


def entry_id(post: Post, site: Site) -> str:
    """Return a tag: URI that survives changes of title, slug and date (RFC 4151)."""
    host = urlsplit(site.url).hostname
    return f"tag:{host},{post.created_at:%Y-%m-%d}:post-{post.id}"


# A heading's permalink (rendering.accessible): a "#" that means nothing in a feed reader.
HEADING_ANCHOR = re.compile(r'<a class="heading-anchor"[^>]*>.*?</a>', re.DOTALL)


def without_anchors(content: str) -> str:
    """Return a post's HTML without its headings' permalinks, for feeds."""
    return HEADING_ANCHOR.sub("", content)


def first_image(content: str) -> str | None:
    match = re.search(r'<img\b[^>]*\bsrc="([^"]+)"', content)
    return html.unescape(match.group(1)) if match else None


def items(language: str, posts: Sequence[Post]) -> list[FeedItem]:
    """Return the feed items of `posts` for readers of `language`."""
    sites, now = registry(), clock.now()
    found = []
    for post in posts:
        # An announcement's entry leads to what it announces (in the announcement's language
        # when that version is live), on that post's own site.
        target = post.announced_version(now) or post.announces or post
        url = canonical_url(target)
        content = absolute_links(without_anchors(post.html), url)
        if post.announces is not None:
            original_site = sites[target.home_site]
            label = _(
                "Read on %(site)s",
                site=original_site.title_in(original_site.reading_language(language)),
            )
            content += f'<p><a href="{html.escape(url)}">{html.escape(label)}</a></p>'
        home = sites[post.home_site]
        featured = getattr(post, "featured", None)
        enclosure = None
        if featured is not None:
            enclosure = (home.url + featured.path, _size(featured.path))
        found.append(
            FeedItem(
                id=entry_id(post, sites[post.home_site]),
                url=url,
                title=plain(post.title),
                language=post.language,
                published=post.published_at,
                updated=max(post.updated_at, post.published_at),
                summary=plain(post.summary),
                content_html=content,
                categories=[(t.slug, plain(t.name(language))) for t in post.terms],
                image=enclosure[0] if enclosure else first_image(content),
                enclosure=enclosure,
            )
        )
    return found


def _generator(site: Site, language: str, entries: list[FeedItem], meta: FeedMeta):
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(meta.home_url)
    fg.title(plain(meta.title))
    fg.subtitle(plain(meta.subtitle))
    fg.language(language)
    fg.author({"name": site.author})
    # feedgen takes RSS's <link> from the last link given: the home page.
    fg.link(href=meta.feed_url, rel="self")
    fg.link(href=meta.home_url, rel="alternate")
    fg.generator("blog")
    updated = max((e.updated for e in entries), default=None)
    if updated is not None:
        fg.updated(updated)
        fg.lastBuildDate(updated)
    for item in entries:
        entry = fg.add_entry(order="append")
        entry.id(item.id)
        entry.guid(item.id, permalink=False)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate")
        entry.published(item.published)
        entry.updated(item.updated)
        entry.author({"name": site.author})
        entry.dc.dc_language(item.language)
        if item.summary:
            # Atom says the summary is text; RSS readers render <description> as HTML, so
            # it gets the summary escaped inside a paragraph, never the summary as typed.
            entry.summary(item.summary, type="text")
            entry.description(summary_html(item.summary))
        entry.content(item.content_html, type="html")
        if item.enclosure is not None:
            # Atom's <link rel="enclosure">, and RSS's <enclosure>.
            url, length = item.enclosure
            entry.link(href=url, rel="enclosure", type="image/jpeg", length=str(length))
        for slug, name in item.categories:
            entry.category(term=slug, label=name)
    return fg


def atom(site: Site, language: str, posts: Sequence[Post], meta: FeedMeta) -> bytes:
    """Return the Atom feed of `posts` for readers of `language` on `site`."""
    entries = items(language, posts)
    document = etree.fromstring(_generator(site, language, entries, meta).atom_str())
    # Each entry says its own language: a fallback entry may differ from the feed's.
    for element, item in zip(document.iter(ATOM_ENTRY), entries, strict=True):
        element.set(XML_LANG, item.language)
        if item.enclosure is not None:
            # feedgen writes an entry's links without their rel: say which one is the image.
            for link in element.iter(ATOM_LINK):
                if link.get("href") == item.enclosure[0]:
                    link.set("rel", "enclosure")
                    link.set("type", "image/jpeg")
                    link.set("length", str(item.enclosure[1]))
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def rss(site: Site, language: str, posts: Sequence[Post], meta: FeedMeta) -> bytes:
    """Return the RSS 2.0 feed of `posts` for readers of `language` on `site`."""
    return _generator(site, language, items(language, posts), meta).rss_str(pretty=True)


def json_feed(site: Site, language: str, posts: Sequence[Post], meta: FeedMeta) -> bytes:
    """Return the JSON Feed 1.1 of `posts` for readers of `language` on `site`."""
    author = {"name": site.author}
    document = {
        "version": JSON_FEED_VERSION,
        "title": plain(meta.title),
        "home_page_url": meta.home_url,
        "feed_url": meta.feed_url,
        "description": plain(meta.subtitle),
        "language": language,
        "authors": [author],
        "items": [
            {
                "id": item.id,
                "url": item.url,
                "title": item.title,
                "content_html": item.content_html,
                **({"summary": item.summary} if item.summary else {}),
                **({"image": item.image} if item.image else {}),
                "date_published": item.published.isoformat(),
                "date_modified": item.updated.isoformat(),
                "authors": [author],
                "tags": [name for _slug, name in item.categories],
                "language": item.language,
            }
            for item in items(language, posts)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


@dataclass(frozen=True)
class FeedFormat:
    build: Callable[[Site, str, Sequence[Post], FeedMeta], bytes]
    mimetype: str
    label: str
    # What a link to a feed of this format says, in the page's language ("Atom feed").
    link_text: object = ""


# Each format a site's feeds come in, by the extension of their address (feed.atom …).
FORMATS = {
    "atom": FeedFormat(atom, "application/atom+xml", "Atom", _l("Atom feed")),
    "rss": FeedFormat(rss, "application/rss+xml", "RSS", _l("RSS feed")),
    "json": FeedFormat(json_feed, "application/feed+json", "JSON Feed", _l("JSON feed")),
}
