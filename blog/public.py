"""The reader's pages of both sites: thin views over queries, rendered by templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, redirect, render_template, request
from flask_babel import gettext as _

from . import caching, clock, db, feeds, pagetree, queries, rendering, seo, sitemaps
from .models import DATED_KINDS, Kind, Post, Term, TermKind
from .pagination import paginate
from .sites import Site
from .urls import (
    alternates,
    canonical_url,
    listing_alternates,
    post_url,
    site_path,
    site_url,
)

bp = Blueprint("public", __name__)
bp.before_request(caching.not_modified)
bp.after_request(caching.add_validators)
bp.add_app_template_global(rendering.json_ld)


def route(rule: str, **options):
    """Register a view under `/<lang>` + rule (prefixed sites) and under rule (the others)."""

    def decorator(view):
        bp.add_url_rule("/<lang:lang>" + rule, view_func=view, **options)
        bp.add_url_rule(rule, view_func=view, defaults={"lang": None}, **options)
        return view

    return decorator


@dataclass
class LanguageLink:
    language: str
    url: str
    current: bool = False
    missing: bool = False  # no translation: the link leads to that language's home
    elsewhere: Site | None = None  # the translation lives on another site


@dataclass
class SiteLink:
    site: Site
    url: str
    language: str


def now() -> datetime:
    if "now" not in g:
        g.now = clock.now()
    return g.now


def render(
    template: str,
    *,
    post: Post | None = None,
    versions: list[Post] = (),
    switch: list | None = None,
    **context,
):
    """Render a public page with the site's menu, the other sites and the language switcher."""
    site, language = g.site, g.lang
    context.setdefault("feeds", feed_links(site, language))
    context.setdefault("canonical", listing_canonical(site, language))
    if post is None and request.args.get("page", "1") == "1":
        # A listing exists in every language of its site: name them all.
        values = request.view_args or {}
        context.setdefault("alternates", listing_alternates(site, request.endpoint, **values))
    context.setdefault("structured", [])
    context["social"] = seo.social_tags(site, language, context["canonical"], post, versions)
    menu = list(db.session().scalars(queries.menu_pages(site, language, now())))
    return render_template(
        template,
        site=site,
        page_lang=language,
        menu=menu,
        menu_tree=pagetree.nest(menu),
        other_sites=other_site_links(site, language, post, versions),
        switcher=switch if switch is not None else list_switcher(site, language),
        post=post,
        **context,
    )


def listing_canonical(site: Site, language: str) -> str:
    """Return the canonical URL of a listing page: its own address, page number included."""
    url = site_url(site, request.endpoint, language, **(request.view_args or {}))
    page = request.args.get("page", "1")
    return url if page == "1" else f"{url}?{_query(page=page)}"


FEED_FORMATS = {
    # format: (builder, media type, label)
    "atom": (feeds.atom, "application/atom+xml", "Atom"),
    "rss": (feeds.rss, "application/rss+xml", "RSS"),
    "json": (feeds.json_feed, "application/feed+json", "JSON Feed"),
}


def feed_links(site: Site, language: str, term: Term | None = None) -> list[dict]:
    """Return the feeds a page advertises: the site's, and its term's first when it has one."""
    links = []
    for name, (_builder, mimetype, label) in FEED_FORMATS.items():
        if term is not None:
            url = site_url(site, f"public.{term.kind}_feed", language, slug=term.slug, format=name)
            links.append({"type": mimetype, "label": label, "url": url, "term": term})
        url = site_url(site, "public.feed", language, format=name)
        links.append({"type": mimetype, "label": label, "url": url, "term": None})
    return sorted(links, key=lambda link: link["term"] is None)


def other_site_links(
    site: Site, language: str, post: Post | None, versions: list[Post]
) -> list[SiteLink]:
    """Link each other site at the same text when it appears there, else at its home."""
    links = []
    for other in current_app.extensions["sites"].others(site):
        reading = other.reading_language(language)
        there = [p for p in (post, *versions) if p is not None and p.is_on(other.key)]
        # The reader's language first, then the post's own, then any version on that site.
        there.sort(key=lambda p: (p.language != reading, p is not post))
        if there and other.accepts(there[0].language):
            url = post_url(there[0], other, there[0].language)
            reading = there[0].language
        else:
            url = site_url(other, "public.home", reading)
        links.append(SiteLink(other, url, reading))
    return links


def switch_url(language: str, target: str) -> str:
    return site_path(g.site, "public.switch_language", code=language) + "?" + _query(next=target)


def _query(**params) -> str:
    return urlencode(params)


def list_switcher(site: Site, language: str) -> list[LanguageLink]:
    """Offer the same listing page in each language of the site."""
    if len(site.languages) < 2 or request.url_rule is None:
        return []
    values = dict(request.view_args or {})
    return [
        LanguageLink(
            lang,
            switch_url(lang, site_path(site, request.endpoint, lang, **values)),
            current=lang == language,
        )
        for lang in site.languages
    ]


def post_switcher(site: Site, language: str, versions: list[Post]) -> list[LanguageLink]:
    """Offer each language: its translation here, else on its home site, else that home page."""
    if len(site.languages) < 2:
        return []
    by_language = {p.language: p for p in versions}
    links = []
    for lang in site.languages:
        version = by_language.get(lang)
        if lang == language:
            links.append(LanguageLink(lang, "", current=True))
        elif version is not None and version.is_on(site.key):
            url = switch_url(lang, post_url(version, site)[len(site.url) :])
            links.append(LanguageLink(lang, url))
        elif version is not None:
            home = current_app.extensions["sites"][version.home_site]
            links.append(LanguageLink(lang, canonical_url(version), elsewhere=home))
        else:
            home = site_path(site, "public.home", lang) + "?" + _query(notice="untranslated")
            links.append(LanguageLink(lang, switch_url(lang, home), missing=True))
    return links


@route("/")
def home():
    listing = paginate(queries.home_posts(g.site, g.lang, now()))
    structured = [seo.website(g.site, g.lang)]
    if g.site.kind == "book" and seo.book(g.site):
        structured.append(seo.book(g.site))
    return render(
        "public/home.html",
        listing=listing,
        structured=structured,
        untranslated=request.args.get("notice") == "untranslated",
    )


@route("/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/<slug:slug>/")
def post(year: int, month: int, slug: str):
    return show_post(DATED_KINDS, slug, (year, month))


@route("/<slug:slug>/")
def page(slug: str):
    return show_post((Kind.PAGE,), slug)


def show_post(kinds: tuple[str, ...], slug: str, year_month: tuple[int, int] | None = None):
    """Show a post in the page's language, redirect to its right address, or fall back."""
    site, language = g.site, g.lang
    session = db.session()
    candidates = list(session.scalars(queries.by_slug(site, slug, now(), kinds)))
    if not candidates:
        return _moved_or_gone(site, language, slug, kinds)
    found = next((p for p in candidates if p.language == language), None)
    if found is None and candidates:
        found = candidates[0]
        versions = list(session.scalars(queries.translations(found, now())))
        here = [p for p in versions if p.is_on(site.key) and site.accepts(p.language)]
        # Serve only the version this site lists for readers of `language`: the translation
        # in that language, else the one whose language comes first in the site's list.
        preferred = next((p for p in here if p.language == language), None)
        if preferred is None and site.fallback == "show":
            preferred = min(here, key=lambda p: site.languages.index(p.language))
        if preferred is None:
            abort(404)
        if preferred.id != found.id:
            return redirect(post_url(preferred, site, language)[len(site.url) :], 301)
    if found is None:
        abort(404)
    own_path = post_url(found, site, language)[len(site.url) :]
    if year_month and year_month != (found.published_at.year, found.published_at.month):
        return redirect(own_path, 301)

    versions = list(session.scalars(queries.translations(found, now())))
    is_canonical = site.key == found.home_site and language == found.language
    fallback = found.language != language
    return render(
        "public/post.html",
        post=found,
        versions=versions,
        canonical=canonical_url(found),
        structured=[seo.posting(current_app.extensions["sites"][found.home_site], found)],
        alternates=alternates(versions) if is_canonical else [],
        fallback=fallback,
        # The reader's language exists, but on another site: say where.
        elsewhere=next((p for p in versions if p.language == language), None) if fallback else None,
        home_site=current_app.extensions["sites"][found.home_site],
        also_on=also_on(found, site),
        switch=post_switcher(site, language, versions),
        ancestors=pagetree.ancestors(session, found, pagetree.visible_on(site, now()))
        if found.kind == Kind.PAGE
        else [],
    )


def _moved_or_gone(site: Site, language: str, slug: str, kinds: tuple[str, ...]):
    """Answer an address nothing visible has now: 301 if a post had it, 410 if its original went."""
    session = db.session()
    moved = session.scalar(queries.moved(site, slug, now(), kinds))
    if moved is not None:
        return redirect(post_url(moved, site, language)[len(site.url) :], 301)
    if session.scalar(queries.gone(site, slug, kinds)) is not None:
        abort(410, description="announcement")
    abort(404)


def also_on(post: Post, site: Site) -> list[SiteLink]:
    """Return where else readers find a post: in full on another site, or announced there."""
    sites, links = current_app.extensions["sites"], []
    if post.kind == Kind.ANNOUNCEMENT:
        return links
    for key in post.sites:
        if key != site.key:
            other = sites[key]
            links.append(SiteLink(other, post_url(post, other), post.language))
    for announcement in post.announcements:
        if announcement.is_visible(now()) and announcement.home_site != site.key:
            other = sites[announcement.home_site]
            links.append(SiteLink(other, canonical_url(announcement), announcement.language))
    return links


def _term(kind: str, slug: str) -> Term:
    term = db.session().scalar(queries.term_by_slug(kind, slug))
    if term is None:
        abort(404)
    return term


def _term_page(kind: str, slug: str):
    term = _term(kind, slug)
    listing = paginate(queries.posts_in_term(g.site, g.lang, now(), term))
    return render(
        "public/term.html", term=term, listing=listing, feeds=feed_links(g.site, g.lang, term)
    )


@route("/category/<slug:slug>/")
def category(slug: str):
    return _term_page(TermKind.CATEGORY, slug)


@route("/tag/<slug:slug>/")
def tag(slug: str):
    return _term_page(TermKind.TAG, slug)


@route("/<int(fixed_digits=4):year>/")
def archive_year(year: int):
    return _archive(year)


@route("/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/")
def archive_month(year: int, month: int):
    if not 1 <= month <= 12:
        abort(404)
    return _archive(year, month)


def _archive(year: int, month: int | None = None):
    if not 1970 <= year <= 9998:
        abort(404)
    start = datetime(year, month or 1, 1, tzinfo=UTC)
    if month is None:
        end = datetime(year + 1, 1, 1, tzinfo=UTC)
    else:
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    listing = paginate(queries.posts_between(g.site, g.lang, now(), start, end))
    return render("public/archive.html", listing=listing, year=year, month=month, start=start)


def _feed(format: str, term: Term | None = None):
    """Answer a feed of the site in the page's language, or of one of its terms."""
    if format not in FEED_FORMATS:
        abort(404)
    builder, mimetype, _label = FEED_FORMATS[format]
    site, language = g.site, g.lang
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
    return current_app.response_class(builder(site, language, posts, meta), mimetype=mimetype)


@route("/feed.<any(atom, rss, json):format>")
def feed(format: str):
    return _feed(format)


@route("/category/<slug:slug>/feed.<any(atom, rss, json):format>")
def category_feed(slug: str, format: str):
    return _feed(format, _term(TermKind.CATEGORY, slug))


@route("/tag/<slug:slug>/feed.<any(atom, rss, json):format>")
def tag_feed(slug: str, format: str):
    return _feed(format, _term(TermKind.TAG, slug))


@bp.route("/sitemap.xml")
def sitemap():
    entries = sitemaps.urls(db.session(), g.site, now())
    return current_app.response_class(sitemaps.render(entries), mimetype="application/xml")


@bp.route("/robots.txt")
def robots():
    return current_app.response_class(sitemaps.robots(g.site), mimetype="text/plain")


@bp.route("/language/<lang:code>")
def switch_language(code: str):
    """Remember a reader's explicit choice of language, then go to the page they chose."""
    site = g.site
    if not site.accepts(code):
        abort(404)
    target = request.args.get("next", "")
    home = site_path(site, "public.home", code)
    # Only a path of this site, in the chosen language: never an open redirect.
    if (
        not target.startswith(home)
        or "//" in target
        or "\\" in target
        or not (target.isascii() and target.isprintable())
    ):
        target = home
    response = redirect(target, 303)
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        code,
        max_age=current_app.config["LANGUAGE_COOKIE_MAX_AGE"],
        samesite="Lax",
        httponly=True,
        secure=site.scheme == "https",
    )
    return response


@bp.app_template_global()
def link(post: Post) -> str:
    """Return the path of a post on the current site, for readers of the page's language."""
    return post_url(post, g.site, g.lang)[len(g.site.url) :]


@bp.app_template_global()
def link_home() -> str:
    return site_path(g.site, "public.home", g.get("lang"))


@bp.app_template_global()
def canonical_of(post: Post) -> str:
    return canonical_url(post)


@bp.app_template_global()
def site_title(key: str, language: str) -> str:
    site = current_app.extensions["sites"][key]
    return site.title_in(site.reading_language(language))


@bp.app_template_global()
def link_term(term) -> str:
    endpoint = "public.category" if term.kind == TermKind.CATEGORY else "public.tag"
    return site_path(g.site, endpoint, g.lang, slug=term.slug)
