"""Localized error pages; a request for no configured site gets a page with no links.

Before a 404 page is rendered, the address is looked up among the old addresses
of imported posts (redirects.py): an old link answers 301 instead.
"""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from . import db, operations, redirects


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)
    # `?p=ID` addresses a site's home, which answers (or redirects to a language) before any
    # 404: look it up ahead of every other request hook, the site's resolution included.
    app.before_request_funcs.setdefault(None, []).insert(0, redirects.answer_post_id)


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code == 404:
        moved = redirects.answer()
        if moved is not None:
            return moved
    return _page(error.code, error)


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
    # An error may come before the site is resolved (an early request hook): the host still
    # says which site it is, and only a host that no site claims gets the "no site" page.
    site = g.get("site") or current_app.extensions["sites"].for_host(request.host)
    template = f"errors/{code}.html" if code in (404, 500) else "errors/error.html"
    if site is None:
        return render_template("errors/nosite.html", code=code), code
    language = g.get("lang") or site.default_language
    g.site, g.lang = site, language  # what the page's links (link_home, the menu) are built from
    headers = {}
    if getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # a 405 says what is allowed
    page = render_template(template, site=site, page_lang=language, error=error)
    return page, code, headers
