"""Defence in depth around every response: browser policies, cookies, proxies, request ids.

- Every response carries a Content-Security-Policy without inline script, and the headers that
  stop sniffing, framing, referrer leaks and cross-origin window access; HSTS on a site whose
  configured URL is https.
- Cookies are Secure on https sites (the session cookie through the session interface, since
  Flask's SESSION_COOKIE_SECURE is one setting for every site).
- X-Forwarded-For and X-Forwarded-Proto are believed only when the operator says how many
  proxies stand in front (TRUSTED_PROXIES); otherwise they are ignored.
- Each request gets an id, sent back as X-Request-Id and written on every log line.
- The app refuses to start in debug mode, or with the development secret key, when a site is
  served over https, unless ALLOW_DEBUG says the debugging is on purpose.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, current_app, g, has_request_context, request
from flask.logging import default_handler
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import clock, config
from .mediahtml import frame_hosts
from .sites import Site, current_reading

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
LOG_FORMAT = "[%(asctime)s] %(levelname)s %(request_id)s in %(module)s: %(message)s"


class ConfigurationError(RuntimeError):
    """The configuration is unsafe for production; the message says what to change."""


def init_app(app: Flask) -> None:
    refuse_unsafe_production(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    # Flask refuses a session cookie signed longer ago than this: the idle timeout.
    app.permanent_session_lifetime = timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"])
    app.session_interface = SiteSessionInterface()
    app.before_request(refuse_large_bodies)
    app.before_request(refuse_broken_bodies)
    with app.app_context():
        app.config["CSP"] = content_security_policy(frame_hosts())
    app.after_request(add_headers)
    app.logger.addFilter(_request_id_filter)
    default_handler.addFilter(_request_id_filter)
    default_handler.setFormatter(logging.Formatter(LOG_FORMAT))


def is_https(site) -> bool:
    return site is not None and site.url.startswith("https://")


def refuse_unsafe_production(app: Flask) -> None:
    """Refuse to start an app whose sites are served over https with debug or the dev key."""
    if not any(is_https(site) for site in app.extensions["sites"]):
        return  # development: every site is plain http
    if app.config["SECRET_KEY"] == config.DEFAULTS["SECRET_KEY"]:
        raise ConfigurationError(
            "The sites are served over https but SECRET_KEY is the development value. "
            "Set BLOG_SECRET_KEY to a long random value, e.g. "
            '`python -c "import secrets; print(secrets.token_hex(32))"`.'
        )
    if app.debug and not app.config["ALLOW_DEBUG"]:
        raise ConfigurationError(
            "Debug mode is on (FLASK_DEBUG or BLOG_DEBUG) while the sites are served over "
            "https: the debugger would run code for anyone who reaches an error. Unset it; "
            "to debug a production copy on purpose, also set BLOG_ALLOW_DEBUG=1."
        )


def refuse_large_bodies() -> None:
    """Answer 413 to a body over MAX_CONTENT_LENGTH, whichever view it was meant for."""
    # Registered after the site is known, so that the 413 page is the site's, in its language.
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)


def refuse_broken_bodies() -> None:
    """Answer 400 to a body that cannot be read (a broken chunked framing, a cut upload)."""
    # Read here, once, before any view or the CSRF check asks for the form: what the server or
    # the form parser raises about a malformed body is the client's fault, never a 500.
    if request.method in ("GET", "HEAD", "OPTIONS") or request.routing_exception is not None:
        return
    try:
        request.form  # noqa: B018 - parsing the body is the point
    except HTTPException:
        raise
    except Exception:  # servers raise OSError, ValueError or exceptions of their own
        current_app.logger.info("A request body could not be read.", exc_info=True)
        abort(400, description="body")


class SiteSessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure on a site whose URL is https.

    The cookie never outlives its session's absolute end, and a response that sets it is
    never cacheable by a shared cache.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or is_https(_site())

    def get_expiration_time(self, app: Flask, session) -> datetime | None:
        if not session.permanent:
            return None
        expires = clock.now() + app.permanent_session_lifetime
        ends = session.get("ends")
        if ends is not None:
            expires = min(expires, datetime.fromtimestamp(ends, UTC))
        return expires

    def save_session(self, app: Flask, session, response) -> None:
        super().save_session(app, session, response)
        if "Set-Cookie" in response.headers and response.cache_control.public:
            # A shared cache would hand this cookie to the next reader: keep it private.
            response.cache_control.public = False
            response.cache_control.private = True


def content_security_policy(frame_hosts: tuple[str, ...]) -> str:
    """Return the policy of every page: frames only from the embeds' players (mediahtml)."""
    return CONTENT_SECURITY_POLICY + "; frame-src " + " ".join(f"https://{h}" for h in frame_hosts)


def add_headers(response):
    """Add the browser policies to a response; a view may have set a stricter one."""
    response.headers.setdefault("Content-Security-Policy", current_app.config["CSP"])
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if is_https(_site()):
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={current_app.config['HSTS_MAX_AGE']}"
        )
        # The session cookie is set later, by SiteSessionInterface; these are the others.
        cookies = response.headers.getlist("Set-Cookie")
        if cookies:
            response.headers.setlist("Set-Cookie", [_secure(cookie) for cookie in cookies])
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def _site() -> Site | None:
    reading = current_reading()
    return reading.site if reading else None


def _secure(cookie: str) -> str:
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    return cookie if "secure" in attributes else cookie + "; Secure"


def request_id() -> str:
    """Return the id of the current request, taking a trusted proxy's or making one."""
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = choose_request_id(given, current_app.config["TRUSTED_PROXIES"])
    return g.request_id


def choose_request_id(given: str, trusted_proxies: int) -> str:
    """Return the id of a request that came with `given` as its X-Request-Id (maybe empty)."""
    # A client must not choose what our logs say; a proxy we trust may have named it first.
    if trusted_proxies and REQUEST_ID.match(given):
        return given
    return uuid.uuid4().hex


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() if has_request_context() else "-"
        return True


_request_id_filter = _RequestIdFilter()
