"""The response cache: rendered public pages, in each worker's memory or shared in Redis.

An entry's key is the page's ETag (caching.stamp): the build, the store's version, the latest
publication time that has passed, the Reading and the address. Every write advances the
store's version and a scheduled post coming due moves the latest publication time, so every
worker on every machine computes a new key at its next request: nothing is ever invalidated
and nothing stale can be found. Old entries age out (LRU in memory; a TTL, and Redis' own
eviction, in Redis).

Only what every reader may see is kept: a 200 to GET or HEAD of a public page whose query
string is one the page reads, written the way the site writes it (so that a reader cannot fill
the cache with variants), and never for a request carrying the desk's session cookie, which
neither reads from the cache nor writes to it. Not a 404 (any address can be asked for) nor a
redirect (rare, and cheap: no template).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import redis
from flask import Flask, current_app, g, request

from .pagination import PAGE_NUMBER
from .sites import current_reading

MODES = ("memory", "redis", "off")
CACHED_METHODS = frozenset({"GET", "HEAD"})
# The query strings public pages read: each parameter, what values it may take, in the order
# the site writes them. Any other query string is answered without the cache.
_PAGE: dict[str, Callable[[str], object]] = {"page": PAGE_NUMBER.fullmatch}
QUERIES: dict[str, dict[str, Callable[[str], object]]] = {
    "public.home": {**_PAGE, "notice": "untranslated".__eq__},
    "public.category": _PAGE,
    "public.tag": _PAGE,
    "public.archive_year": _PAGE,
    "public.archive_month": _PAGE,
}
# Headers a cached page does not keep: computed again for each response.
_PER_RESPONSE = frozenset({"content-length", "set-cookie", "etag", "last-modified", "date"})
# Where a request Flask answered offers that answer to the fast path (fastpath.py), in its
# WSGI environ: the store's moment its stamp read, and the body (None for a 304).
FAST_PATH_OFFER = "blog.fastpath.offer"
# The WSGI environ key the static export sets: its pages are files, with no cookie to read
# (no "only in my language" switch); never kept for, nor answered from, the live site's keys.
STATIC_EXPORT = "blog.static_export"
# After Redis fails, pages are rendered without it for this long before it is tried again, so
# that a Redis outage costs one timeout per worker now and then, not one per request.
REDIS_RETRY_SECONDS = 5.0

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """A cached response: what the view answered, before the per-request headers."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def encode(self) -> bytes:
        head = json.dumps([self.status, self.headers], separators=(",", ":")).encode()
        return head + b"\n" + self.body

    @classmethod
    def decode(cls, data: bytes) -> Entry:
        # JSON, never pickle: whoever can write to Redis must not be able to run code here.
        head, _, body = data.partition(b"\n")
        status, headers = json.loads(head)
        return cls(int(status), tuple((str(k), str(v)) for k, v in headers), body)

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 100


class MemoryCache:
    """Entries in this process, least recently used dropped first beyond `max_bytes`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        # `flask run` and threaded servers answer several requests at once in one process.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def set(self, key: str, entry: Entry) -> None:
        # One page may not take more than a quarter of the room (a huge sitemap would
        # otherwise push every page out).
        if entry.size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old.size
            self._entries[key] = entry
            self.size += entry.size
            while self.size > self.max_bytes:
                _key, dropped = self._entries.popitem(last=False)
                self.size -= dropped.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


class RedisCache:
    """Entries in Redis under `prefix`, shared by every worker; unread ones expire after `ttl`."""

    def __init__(self, url: str, prefix: str, ttl: int):
        self.prefix, self.ttl = prefix, ttl
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._retry_at = 0.0

    def get(self, key: str) -> Entry | None:
        data = self._call(self.client.get, self.prefix + key)
        return Entry.decode(data) if data else None

    def set(self, key: str, entry: Entry) -> None:
        self._call(self.client.set, self.prefix + key, entry.encode(), ex=self.ttl)

    def keys(self) -> list[bytes]:
        return list(self.client.scan_iter(match=self.prefix + "*", count=1000))

    def clear(self) -> None:
        """Delete every key under the prefix (the desk never needs to; tests and operators may)."""
        keys = self.keys()
        if keys:
            self.client.delete(*keys)

    def _call(self, method, *args, **kwargs):
        # A cache that is down must cost a rendering, never an error page.
        if time.monotonic() < self._retry_at:
            return None
        try:
            return method(*args, **kwargs)
        except redis.RedisError as error:
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            logger.warning("The page cache in Redis failed (%s); rendering pages meanwhile.", error)
            return None


def init_app(app: Flask) -> None:
    mode = app.config["PAGE_CACHE"] or ("redis" if app.config["REDIS_URL"] else "memory")
    if mode not in MODES:
        raise ValueError(f"PAGE_CACHE must be one of {', '.join(MODES)}, not {mode!r}.")
    if mode == "redis" and not app.config["REDIS_URL"]:
        raise ValueError("PAGE_CACHE is 'redis' but REDIS_URL is not set.")
    if mode == "memory":
        app.extensions["page_cache"] = MemoryCache(app.config["PAGE_CACHE_MAX_BYTES"])
    elif mode == "redis":
        config = app.config
        cache = RedisCache(
            config["REDIS_URL"], config["PAGE_CACHE_PREFIX"], config["PAGE_CACHE_TTL"]
        )
        app.extensions["page_cache"] = cache
    else:
        app.extensions["page_cache"] = None


def backend() -> MemoryCache | RedisCache | None:
    return current_app.extensions.get("page_cache")


def signed_in_browser() -> bool:
    """Say whether the request carries the desk's session cookie (an author, or one who tried)."""
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def shared_reader() -> bool:
    """Say whether the current request is a reader's whose answer any reader may share: a GET
    or HEAD without the desk's session cookie, outside a development server."""
    if request.method not in CACHED_METHODS or signed_in_browser():
        return False
    # Templates and static files change under a development server: render every time.
    return not current_app.debug


def cacheable() -> bool:
    """Say whether the current public request may be answered from, and stored in, the cache."""
    if not shared_reader():
        return False
    allowed = QUERIES.get(request.endpoint, {})
    args = request.args
    if any(name not in allowed or not allowed[name](args[name]) for name in args):
        return False
    canonical = urlencode([(name, args[name]) for name in allowed if name in args])
    # One spelling per page: no repeated parameter, no other order, no other escaping.
    return request.query_string.decode("latin-1") == canonical


def lookup(key: str):
    """Return the cached response for `key`, or None (then remember to store what is rendered)."""
    cache = backend()
    if cache is None or not cacheable():
        return None
    entry = cache.get(key)
    if entry is None:
        g.page_cache_key = key
        return None
    g.page_cache_hit = True
    return current_app.response_class(entry.body, status=entry.status, headers=list(entry.headers))


def store(response) -> None:
    """Keep a freshly rendered response under the key its lookup missed."""
    key = g.pop("page_cache_key", None)
    cache = backend()
    if key is None or cache is None or response.status_code != 200:
        return
    if response.is_streamed or response.direct_passthrough or "Set-Cookie" in response.headers:
        return
    headers = tuple(
        (name, value) for name, value in response.headers if name.lower() not in _PER_RESPONSE
    )
    body = response.get_data()
    cache.set(key, Entry(response.status_code, headers, body))
    offer_to_fast_path(body)


def offer_to_fast_path(body: bytes | None) -> None:
    """Offer the answer to a cacheable request to the fast path, unless it was negotiated.

    Only the fast path sees the answer as it leaves Flask, every header set: it keeps that.
    A negotiated answer depends on the reader's cookie and browser, which its key does not name;
    so does a listing for a reader who chose "only in my language" (the fast path leaves their
    requests to Flask).
    """
    reading = current_reading()
    if reading is None or reading.negotiated or reading.only or "store_moment" not in g:
        return
    if request.environ.get(STATIC_EXPORT):
        return
    request.environ[FAST_PATH_OFFER] = (g.store_moment, body)
