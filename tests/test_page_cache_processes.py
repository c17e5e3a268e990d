"""Two separate gunicorn processes on one store (the suite's database: PostgreSQL in CI) and one
Redis: a post published through one is served by the other at its very next request.

This is what "several gunicorn hosts behind nginx or a CDN" in the README rests on: no worker
is told about a write, each computes the new key from the store itself.
"""

from __future__ import annotations

import http.client
import re
import uuid
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from .helpers import PASSWORD, SITES_FILE, gunicorn

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A browser on one site of one server: keeps its cookies, follows no redirect."""

    def __init__(self, port: int, host: str = "blog.localhost"):
        self.port, self.host, self.cookies = port, host, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def get(self, path: str) -> str:
        status, text = self.request("GET", path)
        assert status == 200, (path, status)
        return text

    def send(self, path: str, form: dict, token_from: str) -> int:
        token = CSRF_FIELD.search(self.get(token_from)).group(1)
        return self.request("POST", path, {**form, "csrf_token": token})[0]


@pytest.fixture(params=["redis", "memory"])
def cache(request):
    """The cache both servers use: shared in Redis (under a prefix of its own), or each its own."""
    if request.param == "memory":
        yield {"BLOG_PAGE_CACHE": "memory"}, None
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"test:{uuid.uuid4().hex}:"
    yield {"REDIS_URL": REDIS_URL, "BLOG_PAGE_CACHE_PREFIX": prefix}, (client, prefix)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.mark.slow
def test_a_post_published_through_one_worker_is_served_by_the_other_at_once(
    app, database_url, author, make_post, cache, tmp_path
):
    environment, shared = cache
    environment = {**environment, "DATABASE_URL": database_url, "BLOG_SITES_FILE": SITES_FILE}
    make_post(language="fr", title="Un billet d'avant")
    pages = ["/fr/", "/fr/feed.atom", "/sitemap-1.xml"]
    with ExitStack() as servers:
        first, second = (
            Browser(servers.enter_context(gunicorn(environment, tmp_path / f"{name}.log")))
            for name in ("first", "second")
        )
        before = {path: second.get(path) for path in pages}
        for reader in (first, second, first, second):  # both warm, each page cached
            for path in pages:
                assert reader.get(path) == before[path]
        if shared is not None:
            client, prefix = shared
            # One entry per page, kept by whichever process rendered it first (the fast path's
            # copies of those answers live under their own "fast:" keys).
            kept = [k for k in client.scan_iter(match=prefix + "*") if b":fast:" not in k]
            assert len(kept) == len(pages)

        # The author signs in and publishes on the first server only.
        status = first.send(
            "/admin/login", {"email": author.email, "password": PASSWORD}, "/admin/login"
        )
        assert status == 302
        status = first.send(
            "/admin/posts/new",
            {"title": "Tout juste publié", "slug": "", "language": "fr", "home_site": "blog",
             "summary": "", "source": "Neuf.", "status": "published", "published_at": "",
             "tags": "", "kind": "post", "version": "", "action": "save"},
            "/admin/",
        )  # fmt: skip
        assert status == 302

        # The other server's very next answers have it, in French only.
        for path in pages:
            assert second.get(path) != before[path], path
        assert "Tout juste publié" in second.get("/fr/")
        assert "Tout juste publié" in second.get("/fr/feed.atom")
        assert "/fr/" in second.get("/sitemap-1.xml").split("tout-juste-publie")[0][-40:]
        assert '<html lang="en">' in second.get("/en/")
        assert "Tout juste publié" in first.get("/fr/")
