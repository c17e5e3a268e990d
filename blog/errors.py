"""Localized error pages, with the site's header; a request for no configured site gets a page
with no links.

Before a 404 page is rendered, the address is looked up among the old addresses
of imported posts (redirects.py): an old link answers 301 instead.

A site's 404 page does not name the address that was asked for: with the response cache on, it
is rendered once per reader's language and store state and kept in that cache (not_found_key),
so that a crawler probing thousands of addresses (/wp-login.php, /.env, …) costs a statement
and a lookup per address, not a page render.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from . import (
    caching,
    clock,
    db,
    entries,
    operations,
    pagecache,
    pagetree,
    queries,
    redirects,
    translations,
)
from .pagecache import Entry
from .routing import interface_language
from .sites import Reading, current_reading, registry


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    reading = current_reading()
    if error.code == 404 and reading is not None:
        moved = redirects.answer(reading.site)
        if moved is not None:
            return moved
        key = not_found_key(reading)
        if key is not None:
            return _kept_not_found(key, error)
    return _page(error.code, error)


def not_found_key(reading: Reading) -> str | None:
    """Return the response cache's key of the site's 404 page for this reader, or None when
    it must be rendered (cache off, an author's browser, a method other than GET and HEAD).

    The key names what the page shows (the site, the reading and the interface's language,
    the store's moment, the build), never the address: any number of addresses share one
    entry per reader's language.
    """
    if pagecache.backend() is None or not pagecache.shared_reader():
        return None
    try:
        # A page that looked for its post before answering 404 has read it already (its stamp).
        moment = g.get("store_moment") or caching.store_moment(g.get("now") or clock.now())
    except Exception as error:  # the page renders without the cache when the store is down
        current_app.logger.warning("The 404 page's store moment could not be read: %s", error)
        return None
    parts = (
        current_app.config["BUILD_ID"],
        *moment,
        reading.site.key,
        reading.language,
        reading.negotiated,
        reading.only,
        interface_language(),
    )
    return "404:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _kept_not_found(key: str, error: HTTPException):
    """Answer the kept 404 page under `key`, rendering and keeping it when it is not there."""
    cache = pagecache.backend()
    entry = cache.get(key)
    if entry is None:
        page, code, _headers = _page(404, error)
        entry = Entry(code, (), page.encode())
        cache.set(key, entry)
    return entry.body, entry.status


def server_error(error: Exception):
    if operations.is_busy(error):
        # Another writer (an import, most likely) kept the SQLite write lock past the busy
        # timeout: nothing was written; say so instead of a 500.
        current_app.logger.warning("Write refused, the database is busy: %s", error)
        running = operations.running_import(db.engine()) is not None
        page, code, headers = _page(
            503, ServiceUnavailable(description="import" if running else "busy")
        )
        return page, code, {**headers, "Retry-After": "60"}
    # A handler for Exception replaces Flask's own logging of the traceback: log it here.
    current_app.log_exception(error)
    return _page(500, InternalServerError(original_exception=error))


def _page(code: int, error: HTTPException):
    reading = current_reading()
    if reading is None:
        # An error may come before the reading is resolved: the host still says which site it
        # is, and only a host that no site claims gets the "no site" page.
        site = registry().for_host(request.host)
        if site is not None:
            reading = g.reading = Reading(site, site.default_language)
    template = f"errors/{code}.html" if code in (404, 500) else "errors/error.html"
    if reading is None:
        return render_template("errors/nosite.html", code=code), code, {}
    headers = {}
    if getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # a 405 says what is allowed
    # In the interface's language: the reader's, or on the desk the author's; with the site's
    # header (menu, other sites, languages), so that a reader who got lost can go on.
    page = render_template(
        template,
        site=reading.site,
        page_lang=interface_language(),
        error=error,
        reading=reading,
        **error_chrome(reading, fresh=code >= 500),
    )
    return page, code, headers


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
    statement = queries.menu_pages(site, language, g.get("now") or clock.now())
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
