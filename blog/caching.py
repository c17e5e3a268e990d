"""HTTP caching of public pages: the stamp, 304 Not Modified, the response cache, Cache-Control.

A public page depends on the store (any write advances StoreState), on the clock only
through posts that come due (the latest publication time that has passed), on its address
and its Reading, and on the code that renders it (the build id). These make the request's
stamp, one small statement: its digest is the ETag a current copy is answered 304 with, and the
key of the response cache (pagecache.py), so a change seen by one is seen by the other.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Flask, current_app, g, request
from sqlalchemy import func, select

from . import clock, db, pagecache, sitesettings
from .models import Post, StoreState
from .sites import current_reading
from .visibility import NOW

# Never kept nor answered 304: a language switch and the "only in my language" switch;
# searches (a reader could fill the cache with queries of their own; a search is cheap enough
# to run each time); the talks, which change as time passes (upcoming, then past) with no
# write; the press kit's archive, which is large; a removal link's page, which shows one
# reader's comment; a sign-up form's page, which counts seats and closes as time passes, and a
# registration's cancellation page; a subscription's links, one reader's each.
UNCACHED_ENDPOINTS = frozenset(
    {
        "public.switch_language",
        "public.switch_only",
        "public.search",
        "public.talks",
        "public.talks_calendar",
        "public.press_kit_archive",
        "public.remove_comment",
        "public.signup",
        "public.cancel_registration",
        "public.confirm_subscription",
        "public.unsubscribe",
    }
)
RENDERING_SUFFIXES = frozenset({".py", ".html", ".mo", ".css", ".js", ".xml", ".svg"})
# Settings that change what a page shows without changing a file.
RENDERING_SETTINGS = (
    "POSTS_PER_PAGE",
    "FEED_SIZE",
    "TIMEZONE",
    "LANGUAGE_COOKIE",
    "ONLY_LANGUAGE_COOKIE",
    "MAIL_SERVER",
)


def init_app(app: Flask) -> None:
    app.config.setdefault("BUILD_ID", build_id(app))
    pagecache.init_app(app)


@functools.cache
def _package_version() -> str:
    # Reading the installed package's metadata costs ~4 ms; it cannot change in a process.
    with contextlib.suppress(PackageNotFoundError):
        return version("blog")
    return ""


def build_id(app: Flask) -> str:
    """Return a digest of what renders pages: code, templates, catalogs, assets, sites, settings.

    Cached pages outlive a worker in Redis: a deployment that changes any of these must
    change every key (and every ETag).
    """
    digest = hashlib.sha256()
    digest.update(_package_version().encode())
    folders = (Path(__file__).parent, app.config["TEMPLATES_DIR"], app.config["TRANSLATIONS_DIR"])
    digest.update(_files_digest((*map(str, folders), str(app.static_folder))))
    digest.update(Path(app.config["SITES_FILE"]).read_bytes())
    digest.update(repr([app.config[name] for name in RENDERING_SETTINGS]).encode())
    return digest.hexdigest()[:16]


@functools.cache
def _files_digest(folders: tuple[str, ...]) -> bytes:
    """Return a digest of the rendering files under `folders`, read once per process.

    The code a process runs does not change under it (a deployment starts new processes);
    a process that makes many apps (the test suite) reads the files once.
    """
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.suffix in RENDERING_SUFFIXES:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.digest()


@dataclass(frozen=True)
class Stamp:
    """What a public response depends on, as an ETag (also the response cache's key)."""

    etag: str
    last_modified: datetime


# Built once: a statement built per request cost more than running it (SQLAlchemy walks a new
# statement for its cache key); the time of the request is a parameter.
_STORE_MOMENT = select(
    select(StoreState.version).scalar_subquery(),
    select(StoreState.changed_at).scalar_subquery(),
    select(func.max(Post.published_at)).where(Post.published_at <= NOW).scalar_subquery(),
)


def store_moment(now: datetime) -> tuple[int, datetime | None, datetime | None]:
    """Return what every public page depends on: the store's version, when it changed, and the
    latest publication time that has passed at `now` (also the listing counts' key)."""
    # One round trip for the three values: this statement is the whole cost of a warm page.
    version, changed_at, due = db.connection().execute(_STORE_MOMENT, {"now": now}).one()
    return version or 0, changed_at, due


def stamp() -> Stamp:
    """Return the stamp of the current public request: one small statement, once per request."""
    if "stamp" in g:
        return g.stamp
    # The page is rendered at the very instant its stamp names (public.now() reads g.now).
    now = g.now = g.get("now") or clock.now()
    stored_version, changed_at, due = g.store_moment = store_moment(now)
    # The sites' texts edited in the desk: read again only when the store changed.
    sitesettings.follow(db.session(), stored_version)
    reading = current_reading()
    moments = [m for m in (changed_at, due) if m is not None]
    last_modified = max(moments).replace(microsecond=0) if moments else now.replace(microsecond=0)
    key = "|".join(
        str(part)
        for part in (
            current_app.config["BUILD_ID"],
            stored_version,
            # The version starts again at 1 in an emptied store (a restore): the time says which.
            changed_at,
            due,
            reading.site.key,
            reading.language,
            reading.negotiated,
            reading.only,
            request.full_path,
        )
    )
    g.stamp = Stamp(hashlib.sha256(key.encode()).hexdigest()[:32], last_modified)
    return g.stamp


def before_public():
    """Answer 304 when the reader's copy is current, else from the response cache if it can."""
    if request.method not in ("GET", "HEAD") or request.endpoint in UNCACHED_ENDPOINTS:
        return None
    current = stamp()
    if request.if_none_match:
        fresh = request.if_none_match.contains(current.etag)
    else:
        since = request.if_modified_since
        fresh = since is not None and current.last_modified <= since
    if fresh:
        if pagecache.backend() is not None and pagecache.cacheable():
            pagecache.offer_to_fast_path(None)
        return current_app.response_class(status=304)
    return pagecache.lookup(current.etag)


def after_public(response):
    """Keep a rendered page in the cache, then say how browsers and proxies may keep it."""
    # A write that lands while the page renders can only make it newer than its key says, and
    # no later request asks for that key again: the write changed the version it reads.
    pagecache.store(response)
    return add_validators(response)


def add_validators(response):
    """Put ETag, Last-Modified and Cache-Control on a public 200 or 304.

    Shared caches (a CDN, nginx) may serve a reader's page for CACHE_MAX_AGE seconds, then
    for CACHE_STALE_WHILE_REVALIDATE more while they revalidate it; a browser carrying the
    desk's session cookie keeps its copy to itself and revalidates it every time, so that an
    author sees what they publish at once.
    """
    if "stamp" in g and response.status_code in (200, 304):
        response.set_etag(g.stamp.etag)
        response.last_modified = g.stamp.last_modified
        policy = response.cache_control
        if pagecache.signed_in_browser():
            policy.private = policy.no_cache = True
        else:
            policy.public = True
            policy.max_age = current_app.config["CACHE_MAX_AGE"]
            policy.stale_while_revalidate = current_app.config["CACHE_STALE_WHILE_REVALIDATE"]
    return response
