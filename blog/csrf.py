"""CSRF protection for every form: a per-session token checked on each unsafe request."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, current_app, g, request, session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def init_app(app: Flask) -> None:
    app.before_request(check)
    app.jinja_env.globals["csrf_token"] = token


def token() -> str:
    """Return this browser session's CSRF token, creating it if needed."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def check() -> None:
    """Refuse an unsafe request whose form or header does not carry the session's token."""
    if request.method not in UNSAFE_METHODS or request.routing_exception is not None:
        return  # a method or address nothing answers gets its 405 or 404, not a CSRF 400
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "signed_form", False):
        return  # a public form that checks its own signed token (comments/service.py)
    expected = session.get(FIELD)
    sent = request.form.get(FIELD) or request.headers.get(HEADER)
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        if getattr(view, "keeps_text", False):
            g.csrf_failed = True  # the view keeps the author's text and asks to save again
            return
        abort(400, description="csrf")
