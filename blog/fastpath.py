"""The fast path: a warm public page answered before Flask, for about the cost of a bare request.

A warm hit through Flask costs its contexts, every request hook, an ORM session and the stamp
statement built by SQLAlchemy: most of a millisecond to send bytes that are already kept. This
WSGI middleware answers those hits itself, from one raw DBAPI statement and one cache lookup.

    request ──> GET/HEAD, no desk cookie, a site's host, no body? ──no──> Flask
                 │ yes
                 ▼
    store moment (version, changed_at, latest due publication), raw statement, own connection
                 │
                 ▼
    key = digest(build, moment, host, path, query) ──> an answer Flask sent?  ──no──> Flask
                 │ yes
                 ▼
    the very status, headers and body Flask sent (a fresh X-Request-Id), or its 304

The key names what the stamp (caching.py) names, the address instead of the Reading: only an
answer that was not negotiated is ever kept under it (pagecache.offer_to_fast_path), so the
address alone says what the reader gets. Flask decides what may be kept, as it does for the
response cache, and this module keeps the answer as it left Flask, every header set: what it
sends is exactly what Flask would have sent. Anything it cannot decide (an error, Redis or the
database down, a conditional request by date) goes to Flask, which knows what to do.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading

from flask import Flask
from sqlalchemy.pool import NullPool
from werkzeug.http import HTTP_STATUS_CODES, parse_etags, unquote_etag

from . import clock, db, security
from .models import UTCDateTime
from .pagecache import FAST_PATH_OFFER, STATIC_EXPORT, Entry
from .sites import strip_port

STATEMENT = (
    "SELECT version, changed_at,"
    " (SELECT max(published_at) FROM post WHERE published_at <= {now})"
    " FROM store_state"
)
METHODS = frozenset({"GET", "HEAD"})
# Keys of the fast path's entries, beside the response cache's (which are bare digests).
PAGE, NOT_MODIFIED = "fast:", "fast304:"
REQUEST_ID = security.REQUEST_ID_HEADER.lower()

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Answer warm hits before Flask when the response cache is on (and FAST_PATH says so)."""
    if app.extensions.get("page_cache") is not None and app.config["FAST_PATH"]:
        app.wsgi_app = app.extensions["fast_path"] = FastPath(app, app.wsgi_app)


def key(build_id: str, moment: tuple, environ: dict) -> str:
    """Return the fast path's key of a request's answer, at the store's `moment`."""
    parts = (
        build_id,
        *moment,
        strip_port(environ["HTTP_HOST"]).lower(),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def status_line(code: int) -> str:
    # What Werkzeug's Response sends: an answer whose line differs is not kept.
    return f"{code} {HTTP_STATUS_CODES[code].upper()}"


def etag(entry: Entry) -> str | None:
    return unquote_etag(dict(entry.headers).get("ETag"))[0]


class StoreMoment:
    """Read the store's moment with one raw statement, on a connection each thread keeps.

    The values go through the ORM's own type conversions, so that they read exactly as the
    stamp's (caching.stamp) and the keys the two sides compute agree.
    """

    def __init__(self, url: str):
        # A pool of its own, without a limit: each thread keeps its connection for good.
        self.engine = db.make_engine(url, poolclass=NullPool)
        dialect = self.engine.dialect
        self.statement = STATEMENT.format(now="?" if dialect.paramstyle == "qmark" else "%s")
        timestamp = UTCDateTime().dialect_impl(dialect)
        self.bind = timestamp.bind_processor(dialect) or (lambda value: value)
        self.result = timestamp.result_processor(dialect, None) or (lambda value: value)
        self.local = threading.local()
        self.inherited: list = []

    def read(self, now) -> tuple | None:
        """Return (version, changed_at, due) as the stamp reads them, or None on any error."""
        if getattr(self.local, "pid", None) != os.getpid():
            self._forget_inherited()
        try:
            cursor = getattr(self.local, "cursor", None) or self._connect()
            cursor.execute(self.statement, (self.bind(now),))
            row = cursor.fetchone()
        except Exception as error:  # whatever fails, Flask answers instead
            logger.warning("The fast path could not read the store (%s); Flask answers.", error)
            self.close()
            return None
        if row is None:
            return None
        version, changed_at, due = row
        return (version or 0, self.result(changed_at), self.result(due))

    def _forget_inherited(self) -> None:
        # A forked process (an export renderer, a worker forked after a request) must never
        # speak on its parent's socket: two processes on one connection wait on each other's
        # answers for ever. Kept referenced, not closed: closing would end the parent's session.
        inherited = getattr(self.local, "connection", None)
        if inherited is not None:
            self.inherited.append(inherited)
        self.local.connection = self.local.cursor = None
        self.local.pid = os.getpid()

    def _connect(self):
        connection = self.engine.raw_connection()
        driver = connection.driver_connection
        if self.engine.dialect.name != "sqlite":
            # Each statement its own transaction: never idle in one between requests.
            driver.autocommit = True
        self.local.connection, self.local.cursor = connection, driver.cursor()
        return self.local.cursor

    def close(self) -> None:
        """Close this thread's connection (the next read opens another)."""
        connection = getattr(self.local, "connection", None)
        self.local.connection = self.local.cursor = None
        if connection is not None:
            try:
                connection.invalidate()
            except Exception:  # it is being thrown away
                logger.debug("Closing the fast path's connection failed.", exc_info=True)


class FastPath:
    """The WSGI middleware around Flask's wsgi_app (see the module's docstring)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.sites = app.extensions["sites"]
        self.cache = app.extensions["page_cache"]
        self.build_id = app.config["BUILD_ID"]
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.only_cookie = app.config["ONLY_LANGUAGE_COOKIE"] + "="
        self.moment = StoreMoment(app.config["SQLALCHEMY_URL"])

    def __call__(self, environ: dict, start_response):
        found = self.answer(environ)
        if found is None:
            return self.through(environ, start_response)
        entry = found
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = security.choose_request_id(given, self.app.config["TRUSTED_PROXIES"])
        headers = [
            (name, request_id if name.lower() == REQUEST_ID else value)
            for name, value in entry.headers
        ]
        start_response(status_line(entry.status), headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]

    def answer(self, environ: dict) -> Entry | None:
        """Return the kept answer to this request, or None for Flask to answer it."""
        if not self.eligible(environ):
            return None
        moment = self.moment.read(clock.read(self.app.config["CLOCK"]))
        if moment is None:
            return None
        page_key = key(self.build_id, moment, environ)
        tags = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
        if tags:
            # Flask's 304 once it has sent one for this page (the page itself may not be kept).
            not_modified = self.cache.get(NOT_MODIFIED + page_key)
            if not_modified is not None and tags.contains(etag(not_modified)):
                return not_modified
        entry = self.cache.get(PAGE + page_key)
        if entry is None or (tags and tags.contains(etag(entry))):
            return None  # until Flask has sent its 304, Flask sends it
        return entry

    def eligible(self, environ: dict) -> bool:
        """Say whether a kept answer could be this request's: else Flask answers it."""
        if environ["REQUEST_METHOD"] not in METHODS or self.app.debug:
            return False
        if environ.get(STATIC_EXPORT):
            return False
        host = environ.get("HTTP_HOST")
        if not host or self.sites.for_host(host) is None:
            return False
        # Any cookie of that name (or containing it): Flask tells the desk's from others.
        cookies = environ.get("HTTP_COOKIE", "")
        if self.session_cookie in cookies:
            return False
        # A reader who lists only their language gets listings no key here names: Flask's.
        if self.only_cookie in cookies:
            return False
        if environ.get("CONTENT_LENGTH") not in (None, "", "0"):
            return False  # Flask refuses a body over the limit, whatever the method
        # A conditional request by date alone is Flask's to compare.
        return not (environ.get("HTTP_IF_MODIFIED_SINCE") and not environ.get("HTTP_IF_NONE_MATCH"))

    def through(self, environ: dict, start_response):
        """Let Flask answer; keep its answer when it offers it (pagecache.offer_to_fast_path)."""
        sent = []

        def remember(status, headers, exc_info=None):
            sent.append((status, headers))
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        offer = environ.pop(FAST_PATH_OFFER, None)
        if offer is None or not sent:
            return body
        moment, offered = offer
        if offered is not None:
            if environ["REQUEST_METHOD"] != "GET":
                return body  # a HEAD's answer has no body to keep
            # The body as it leaves Flask (the one offered was read before the last hooks).
            try:
                chunks = list(body)
            finally:
                if hasattr(body, "close"):
                    body.close()
            body = chunks
            if b"".join(chunks) != offered:
                return body
        self.keep(moment, environ, *sent[-1], offered)
        return body

    def keep(self, moment: tuple, environ: dict, status: str, headers, body) -> None:
        code = int(status.split(" ", 1)[0])
        names = {name.lower() for name, _value in headers}
        if status != status_line(code) or "set-cookie" in names:
            return
        # A listing varies on the reader's choice of language only (a cookie whose readers
        # never reach the fast path, see eligible); anything else that varies is not kept.
        varies = [value for name, value in headers if name.lower() == "vary"]
        if varies and varies != ["Cookie"]:
            return
        if code == 200 and body is not None:
            entry, prefix = Entry(200, tuple(headers), body), PAGE
        elif code == 304 and body is None:
            entry, prefix = Entry(304, tuple(headers), b""), NOT_MODIFIED
        else:
            return
        self.cache.set(prefix + key(self.build_id, moment, environ), entry)
