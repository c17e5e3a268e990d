"""What machines read: feeds (Atom, RSS, JSON Feed) per language and term, sitemap, robots."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, g, request
from flask_babel import gettext as _

from .. import db, entries, feeds, queries, sitemaps
from ..entries import TermEntry
from ..models import TermKind
from ..sites import Reading
from ..urls import site_url
from . import now, route, term_or_404


def _feed(reading: Reading, format: str, term: TermEntry | None = None):
    """Answer a feed of the site in the reading's language, or of one of its terms."""
    if format not in feeds.FORMATS:
        abort(404)
    site, language = reading.site, reading.language
    if term is None:
        statement = queries.listed_posts(site, language, now())
        title = site.title_in(language)
    else:
        statement = queries.posts_in_term(site, language, now(), term)
        name = term.name(language)
        if term.kind == TermKind.CATEGORY:
            label = _("Category: %(name)s", name=name)
        else:
            label = _("Tag: %(name)s", name=name)
        title = f"{site.title_in(language)} — {label}"
    size = current_app.config["FEED_SIZE"]
    posts = entries.loaded(db.connection(), statement.page(size, 0))
    meta = feeds.FeedMeta(
        feed_url=site_url(site, request.endpoint, language, **request.view_args),
        home_url=site_url(site, "public.home", language),
        title=title,
        subtitle=site.tagline_in(language) or site.title_in(language),
    )
    body = feeds.FORMATS[format].build(site, language, posts, meta)
    return current_app.response_class(body, mimetype=feeds.FORMATS[format].mimetype)


@route("/feed.<any(atom, rss, json):format>")
def feed(reading: Reading, format: str):
    return _feed(reading, format)


@route("/category/<slug:slug>/feed.<any(atom, rss, json):format>")
def category_feed(reading: Reading, slug: str, format: str):
    return _feed(reading, format, term_or_404(TermKind.CATEGORY, slug))


@route("/tag/<slug:slug>/feed.<any(atom, rss, json):format>")
def tag_feed(reading: Reading, slug: str, format: str):
    return _feed(reading, format, term_or_404(TermKind.TAG, slug))


@route("/sitemap.xml", localized=False)
def sitemap(reading: Reading):
    """Answer the site's sitemap index, which lists its chunks."""

    def build() -> bytes:
        size = current_app.config["SITEMAP_CHUNK_SIZE"]
        found = sitemaps.chunks(db.session(), reading.site, now(), size)
        return sitemaps.render_index(reading.site, found)

    return _xml(reading, build)


@route("/sitemap-<int(min=1):number>.xml", localized=False)
def sitemap_chunk(reading: Reading, number: int):
    """Answer one chunk of the site's sitemap (404 past the last one)."""

    def build() -> bytes:
        size = current_app.config["SITEMAP_CHUNK_SIZE"]
        entries = sitemaps.chunk_urls(db.session(), reading.site, now(), number, size)
        if entries is None:
            abort(404)
        return sitemaps.render(entries)

    return _xml(reading, build)


def _xml(reading: Reading, build: Callable[[], bytes]):
    """Answer an XML document, built once per version of what it depends on (its ETag).

    A sitemap costs a query per chunk and a render of up to SITEMAP_CHUNK_SIZE URLs; the
    rendered bytes are kept per site and address with the validators they were built under
    (caching.py: the store's version, the latest due publication, the build), so a warm
    request costs the two queries of the validators and nothing more, and any write or post
    coming due rebuilds it.
    """
    kept = current_app.extensions.setdefault("sitemaps", {})
    key = (reading.site.key, request.path, current_app.config["SITEMAP_CHUNK_SIZE"])
    etag = g.validators[0] if "validators" in g else None
    if etag is not None and key in kept and kept[key][0] == etag:
        body = kept[key][1]
    else:
        body = build()
        if etag is not None:
            kept[key] = (etag, body)
    return current_app.response_class(body, mimetype="application/xml")


@route("/robots.txt", localized=False)
def robots(reading: Reading):
    return current_app.response_class(sitemaps.robots(reading.site), mimetype="text/plain")
