"""Localized error pages; a request for no configured site gets a page with no links.

Before a 404 page is rendered, the address is looked up among the old addresses
of imported posts (redirects.py): an old link answers 301 instead.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from . import redirects
from .routing import current_reading, interface_language


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
    return _page(error.code, error)


def server_error(error: Exception):
    # A handler for Exception replaces Flask's own logging of the traceback: log it here.
    current_app.log_exception(error)
    return _page(500, InternalServerError(original_exception=error))


def _page(code: int, error: HTTPException):
    reading = current_reading()
    template = f"errors/{code}.html" if code in (404, 500) else "errors/error.html"
    if reading is None:
        return render_template("errors/nosite.html", code=code), code
    # In the interface's language: the reader's, or on the desk the author's.
    page = render_template(template, site=reading.site, page_lang=interface_language(), error=error)
    return page, code
