"""The reader's side of both sites: pages, syndication (feeds, sitemap, robots), switching.

Every view is registered on `bp` through `route`, which gives it the request's Reading as its
first argument; views are thin — they ask queries.py and translations.py, then render. The
factory imports the view modules before it registers `bp`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, abort, current_app, g

from .. import caching, clock, db, entries, pagetree, queries, translations
from ..entries import TermEntry
from ..sites import Reading, current_reading, registry

bp = Blueprint("public", __name__)
bp.before_request(caching.before_public)
bp.after_request(caching.after_public)


def route(rule: str, localized: bool = True, **options) -> Callable:
    """Register a view that takes the request's Reading first.

    A localized view answers under `/<lang>` + rule on sites with a language prefix and
    under rule on the others.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def endpoint(**values):
            return view(current_reading(), **values)

        if localized:
            bp.add_url_rule("/<lang:lang>" + rule, view_func=endpoint, **options)
            bp.add_url_rule(rule, view_func=endpoint, defaults={"lang": None}, **options)
        else:
            bp.add_url_rule(rule, view_func=endpoint, **options)
        return view

    return decorator


def now() -> datetime:
    """Return the time of the current request: one instant for everything a page shows."""
    if "now" not in g:
        g.now = clock.now()
    return g.now


def error_chrome(reading: Reading, fresh: bool) -> dict:
    """Return what an error page's header shows: the menu, the other sites, the languages.

    The switcher offers each language's home (an error page has no address in other
    languages). `fresh`: read the menu on a connection of its own (after a server error, the
    request's may be in a failed transaction). When the store cannot answer (the error may be
    that), the header goes without its menu.
    """
    site, language = reading.site, reading.language
    page = {
        "menu": [],
        "menu_tree": [],
        "other_sites": translations.other_site_links(registry(), site, language, None, ()),
        "switcher": translations.list_switcher(site, language, translations.Address("public.home")),
    }
    statement = queries.menu_pages(site, language, now())
    try:
        if fresh:
            with db.engine().connect() as connection:
                menu = entries.fetch(connection, statement)
        else:
            menu = entries.fetch(db.connection(), statement)
    except Exception as error:  # the page must render whatever failed
        current_app.logger.warning("The error page's menu could not be read: %s", error)
        return page
    return {**page, "menu": menu, "menu_tree": pagetree.nest(menu)}


def term_or_404(kind: str, slug: str) -> TermEntry:
    term = entries.term(db.connection(), kind, slug)
    if term is None:
        abort(404)
    return term
