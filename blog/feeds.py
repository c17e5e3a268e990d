"""Atom and RSS feeds built with feedgen, from posts and a site; no request access."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app
from flask_babel import gettext as _

from .models import Post
from .sites import Site
from .urls import canonical_url

# rendering.clean_html serializes every attribute with double quotes, so this is exact.
URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


def absolute_links(content: str, base: str) -> str:
    """Return `html` with every relative href and src made absolute against `base`."""

    def join(match: re.Match) -> str:
        url = urljoin(base, html.unescape(match.group(2)))
        return f'{match.group(1)}="{html.escape(url)}"'

    return URL_ATTRIBUTE.sub(join, content)


def entry_id(post: Post, site: Site) -> str:
    """Return a tag: URI that survives changes of title, slug and date (RFC 4151)."""
    host = urlsplit(site.url).hostname
    return f"tag:{host},{post.created_at:%Y-%m-%d}:post-{post.id}"


def _generator(site: Site, language: str, posts: Sequence[Post], **meta) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(meta["home_url"])
    fg.title(meta["title"])
    fg.subtitle(meta["subtitle"])
    fg.language(language)
    fg.author({"name": site.author})
    # feedgen takes RSS's <link> from the last link given: the home page.
    fg.link(href=meta["feed_url"], rel="self")
    fg.link(href=meta["home_url"], rel="alternate")
    fg.generator("blog")
    updated = max((p.updated_at for p in posts), default=None)
    if updated is not None:
        fg.updated(updated)
        fg.lastBuildDate(updated)
    sites = current_app.extensions["sites"]
    for post in posts:
        # An announcement's entry leads to what it announces, on that post's own site.
        url = canonical_url(post.announces or post)
        home = sites[post.home_site]
        entry = fg.add_entry(order="append")
        entry.id(entry_id(post, home))
        entry.guid(entry_id(post, home), permalink=False)
        entry.title(post.title)
        entry.link(href=url, rel="alternate")
        entry.published(post.published_at)
        entry.updated(post.updated_at)
        entry.author({"name": site.author})
        if post.summary:
            entry.summary(post.summary)
        content = absolute_links(post.html, url)
        if post.announces is not None:
            original_site = sites[post.announces.home_site]
            label = _(
                "Read on %(site)s",
                site=original_site.title_in(original_site.reading_language(language)),
            )
            content += f'<p><a href="{html.escape(url)}">{html.escape(label)}</a></p>'
        entry.content(content, type="html")
        for term in post.terms:
            entry.category(term=term.slug, label=term.name(language))
    return fg


def atom(site: Site, language: str, posts: Sequence[Post], **meta) -> bytes:
    """Return the Atom feed of `posts` for readers of `language` on `site`."""
    return _generator(site, language, posts, **meta).atom_str(pretty=True)


def rss(site: Site, language: str, posts: Sequence[Post], **meta) -> bytes:
    """Return the RSS 2.0 feed of `posts` for readers of `language` on `site`."""
    return _generator(site, language, posts, **meta).rss_str(pretty=True)
