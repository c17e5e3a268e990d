"""The reader's pages: home, post, page, category and tag, archives by year and month."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import abort, current_app, redirect, render_template, request

from .. import db, entries, feeds, menus, pagetree, queries, seo, translations
from ..comments import page as comment_page
from ..comments import queries as comment_queries
from ..comments.service import CommentForm
from ..entries import Entry, TermEntry
from ..models import DATED_KINDS, Kind, TermKind
from ..pagination import paginate
from ..sites import Reading, Site, registry
from ..storestate import per_store_state
from ..translations import Address, Notice
from ..urls import canonical_url, post_path, post_url, site_path, site_url
from . import now, route, term_or_404


def render(
    reading: Reading,
    template: str,
    *,
    post: Entry | None = None,
    versions: list[Entry] = (),
    switch: list | None = None,
    **context,
):
    """Render a public page with the site's menu, the other sites and the language switcher."""
    site, language = reading.site, reading.language
    address = Address(request.endpoint, dict(request.view_args or {}))
    context.setdefault("feeds", feed_links(site, language))
    context.setdefault("canonical", listing_canonical(site, language, address))
    if post is None and request.args.get("page", "1") == "1":
        # A listing exists in every language of its site: name them all.
        context.setdefault("alternates", translations.listing_alternates(site, address))
    context.setdefault("structured", [])
    if "social" not in context:  # a section's page may give its own (a work and its image)
        context["social"] = seo.social_tags(site, language, context["canonical"], post, versions)
    if switch is None:
        switch = translations.list_switcher(site, language, address)
    site_menu, menu, menu_tree = None, [], []
    edited = menus.edited(db.session(), site, language)
    # The menu depends on the site, the language and the store's state only: built once per
    # state (a page coming due or any write makes another), not at every page.
    if edited is None:
        menu, menu_tree = per_store_state(
            ("automatic menu", language),
            lambda: menus.automatic(db.connection(), site, language, now()),
        )
        # A site taking messages links its form when no page of the menu holds it.
        if site.contact and not any(page.slug == "contact" for page in menu):
            context.setdefault("contact_path", site_path(site, "public.contact", language))
    else:
        site_menu, menu = per_store_state(
            ("edited menu", language),
            lambda: menus.links(db.connection(), site, language, edited, now()),
        )
    listing = context.get("listing")
    if listing is not None and site.comments:
        ids = [item.id for item in listing.items]
        context["comment_counts"] = comment_queries.counts(db.connection(), ids)
    return render_template(
        template,
        reading=reading,
        site=site,
        page_lang=language,
        menu=menu,
        menu_tree=menu_tree,
        site_menu=site_menu,
        other_sites=translations.other_site_links(registry(), site, language, post, versions),
        switcher=switch,
        post=post,
        Notice=Notice,
        **context,
    )


def listing_canonical(site: Site, language: str, address: Address) -> str:
    """Return the canonical URL of a listing page: its own address, page number included."""
    url = site_url(site, address.endpoint, language, **address.values)
    page = request.args.get("page", "1")
    return url if page == "1" else f"{url}?{urlencode({'page': page})}"


def feed_links(site: Site, language: str, term: TermEntry | None = None) -> list[dict]:
    """Return the feeds a page advertises: the site's, and its term's first when it has one."""
    links = []
    for name, format in feeds.FORMATS.items():
        link = {"type": format.mimetype, "label": format.label, "text": format.link_text}
        if term is not None:
            url = site_url(site, f"public.{term.kind}_feed", language, slug=term.slug, format=name)
            links.append({**link, "url": url, "term": term})
        url = site_url(site, "public.feed", language, format=name)
        links.append({**link, "url": url, "term": None})
    return sorted(links, key=lambda link: link["term"] is None)


@route("/")
def home(reading: Reading):
    site, language = reading.site, reading.language
    listing = paginate(queries.home_posts(site, language, now(), reading.only), entries.loaded)
    structured = [seo.website(site, language)]
    if site.kind == "book" and seo.book(site):
        structured.append(seo.book(site))
    return render(
        reading,
        "public/home.html",
        listing=listing,
        structured=structured,
        untranslated=request.args.get("notice") == "untranslated",
    )


@route("/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/<slug:slug>/")
def post(reading: Reading, year: int, month: int, slug: str):
    return show_post(reading, DATED_KINDS, slug, (year, month))


@route("/<slug:slug>/")
def page(reading: Reading, slug: str):
    return show_post(reading, (Kind.PAGE,), slug)


def show_post(
    reading: Reading,
    kinds: tuple[str, ...],
    slug: str,
    year_month: tuple[int, int] | None = None,
    comment_form: CommentForm | None = None,
    contact: dict | None = None,
    status: int = 200,
):
    """Show what translations.choose decides for this address, or say where it went.

    With `comment_form` (a refused comment), the page comes back with it filled in, as a 422.
    With `contact` (the contact form's values, public/readerforms.py), the page ends with the
    contact form, and is the form alone where the site has no such page.
    """
    site, language = reading.site, reading.language
    connection = db.connection()
    choice = translations.choose(connection, site, language, slug, kinds, now(), year_month)
    if contact is not None and (choice.redirect is not None or choice.post is None):
        return render(reading, "public/contact.html", **contact), status
    if choice.redirect is not None:
        return redirect(choice.redirect, 301)
    if choice.post is None:
        return _moved_or_gone(reading, slug, kinds)
    found, versions = choice.post, list(choice.versions)
    home_site = registry()[found.home_site]
    is_canonical = site.key == found.home_site and language == found.language
    secret = current_app.config["SECRET_KEY"]
    sent, reply_to = request.args.get("comment", ""), request.args.get("reply", "")
    comments = comment_page.context(
        connection, site, found, now(), secret, comment_form, sent, reply_to
    )
    page = render(
        reading,
        "public/post.html",
        post=found,
        versions=versions,
        canonical=canonical_url(found),
        structured=[seo.posting(home_site, found)],
        alternates=translations.alternates(versions) if is_canonical else [],
        notice=choice.notice,
        elsewhere=choice.elsewhere,
        home_site=home_site,
        also_on=also_on(connection, found, site),
        switch=translations.post_switcher(registry(), site, language, versions),
        ancestors=pagetree.ancestors(db.session(), found, pagetree.visible_on(site, now()))
        if found.kind == Kind.PAGE
        else [],
        **comments,
        **(contact or {}),
    )
    return (page, 422) if comment_form is not None else (page, status)


def _moved_or_gone(reading: Reading, slug: str, kinds: tuple[str, ...]):
    """Answer an address nothing visible has now: 301 if a post had it, 410 if its original went."""
    site, session = reading.site, db.session()
    moved = entries.fetch(db.connection(), queries.moved(site, slug, now(), kinds))
    if moved:
        return redirect(post_path(moved[0], site, reading.language), 301)
    if session.scalar(queries.gone(site, slug, kinds)) is not None:
        abort(410, description="announcement")
    abort(404)


def also_on(connection, post: Entry, site: Site) -> list[translations.SiteLink]:
    """Return where else readers find a post: in full on another site, or announced there."""
    sites, links = registry(), []
    if post.kind == Kind.ANNOUNCEMENT:
        return links
    for key in post.sites:
        if key != site.key:
            other = sites[key]
            links.append(translations.SiteLink(other, post_url(post, other), post.language))
    announcements = entries.fetch(connection, queries.announcements_of(post.id, now()))
    entries.complete(connection, announcements)
    for announcement in announcements:
        if announcement.home_site != site.key:
            other = sites[announcement.home_site]
            link = translations.SiteLink(other, canonical_url(announcement), announcement.language)
            links.append(link)
    return links


def _term_page(reading: Reading, kind: str, slug: str):
    site, language = reading.site, reading.language
    term = term_or_404(kind, slug)
    statement = queries.posts_in_term(site, language, now(), term, reading.only)
    listing = paginate(statement, entries.loaded)
    return render(
        reading,
        "public/term.html",
        term=term,
        listing=listing,
        feeds=feed_links(site, language, term),
    )


@route("/category/<slug:slug>/")
def category(reading: Reading, slug: str):
    return _term_page(reading, TermKind.CATEGORY, slug)


@route("/tag/<slug:slug>/")
def tag(reading: Reading, slug: str):
    return _term_page(reading, TermKind.TAG, slug)


@route("/<int(fixed_digits=4):year>/")
def archive_year(reading: Reading, year: int):
    return _archive(reading, year)


@route("/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/")
def archive_month(reading: Reading, year: int, month: int):
    if not 1 <= month <= 12:
        abort(404)
    return _archive(reading, year, month)


def _archive(reading: Reading, year: int, month: int | None = None):
    if not 1970 <= year <= 9998:
        abort(404)
    start = datetime(year, month or 1, 1, tzinfo=UTC)
    if month is None:
        end = datetime(year + 1, 1, 1, tzinfo=UTC)
    else:
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    site, language = reading.site, reading.language
    statement = queries.posts_between(site, language, now(), start, end, reading.only)
    listing = paginate(statement, entries.loaded)
    return render(
        reading, "public/archive.html", listing=listing, year=year, month=month, start=start
    )
