"""The reader's side of both sites: pages, syndication (feeds, sitemap, robots), switching.

Every view is registered on `bp` through `route`, which gives it the request's Reading as its
first argument; views are thin — they ask queries.py and translations.py, then render. The
factory imports the view modules before it registers `bp`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, abort, g

from .. import caching, clock, db, entries
from ..entries import TermEntry
from ..sites import current_reading

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


def term_or_404(kind: str, slug: str) -> TermEntry:
    term = entries.term(db.connection(), kind, slug)
    if term is None:
        abort(404)
    return term
