"""What machines read: feeds (Atom, RSS, JSON Feed) per language and term, sitemap, robots."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_babel import gettext as _

from .. import db, feeds, queries, sitemaps
from ..models import Term, TermKind
from ..sites import Reading
from ..urls import site_url
from . import now, route, term_or_404


def _feed(reading: Reading, format: str, term: Term | None = None):
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
    posts = list(db.session().scalars(statement.limit(current_app.config["FEED_SIZE"])))
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
    entries = sitemaps.urls(db.session(), reading.site, now())
    return current_app.response_class(sitemaps.render(entries), mimetype="application/xml")


@route("/robots.txt", localized=False)
def robots(reading: Reading):
    return current_app.response_class(sitemaps.robots(reading.site), mimetype="text/plain")
