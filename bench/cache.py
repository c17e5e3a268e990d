"""Time public pages in-process with the response cache off, warm in memory and warm in Redis.

    python bench/store.py --posts 10000 --database sqlite:////tmp/store.sqlite3
    python bench/cache.py --database sqlite:////tmp/store.sqlite3 [--rounds 200]

For each page: the median time per request, the SQL statements and the templates rendered per
request, cold (PAGE_CACHE=off: every request renders) and warm (the second and later requests
for the same page), and the ratio cold / warm; warm through Flask (FAST_PATH off) and warm
through the fast path (`+fast`, whose one raw statement the sql column does not count). The
time is one call of the WSGI app on a prepared environ, the test client's own cost left out.
Redis is skipped when it does not answer.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import uuid

import redis
from flask import template_rendered
from sqlalchemy import event
from werkzeug.test import EnvironBuilder

from blog import create_app

BLOG, BOOK = "blog.localhost", "book.localhost"


def find_pages(app) -> list[tuple[str, str]]:
    """Return the pages measured: the blog's home, a post, a category, a feed, the sitemap."""
    home = app.test_client().get("/en/", headers={"Host": BLOG}).text
    post = re.search(r'href="(/en/\d{4}/\d{2}/[a-z0-9-]+/)"', home).group(1)
    category = re.search(r'href="(/en/category/[a-z0-9-]+/)"', home)
    pages = [(BLOG, "/en/"), (BLOG, post)]
    if category:
        pages.append((BLOG, category.group(1)))
    return [*pages, (BLOG, "/en/feed.atom"), (BLOG, "/sitemap.xml"), (BOOK, "/")]


def measure(app, host: str, path: str, rounds: int) -> tuple[float, int, int]:
    """Return the median ms, the statements and the renders of one request, once warmed."""
    statements, renders = [], []
    engine = app.extensions["db"]["engine"]

    def count(*_args, **_kwargs):
        statements.append(1)

    def count_render(*_args, **_kwargs):
        renders.append(1)

    event.listen(engine, "before_cursor_execute", count)
    template_rendered.connect(count_render, app)
    environ = EnvironBuilder(path, headers={"Host": host}).get_environ()
    sent = []

    def start_response(status, _headers, _exc_info=None):
        sent.append(status)

    def call() -> None:
        body = app(dict(environ), start_response)
        b"".join(body)
        if hasattr(body, "close"):
            body.close()

    call()
    timings = []
    try:
        for _ in range(rounds):
            statements.clear()
            renders.clear()
            sent.clear()
            began = time.perf_counter()
            call()
            timings.append((time.perf_counter() - began) * 1000)
            assert sent == ["200 OK"], (path, sent)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        template_rendered.disconnect(count_render, app)
    return statistics.median(timings), len(statements), len(renders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a store")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    prefix = f"bench:{uuid.uuid4().hex}:"
    modes = {"off": {}, "memory": {}, "memory+fast": {}}
    client = redis.Redis.from_url(args.redis)
    try:
        client.ping()
        modes["redis"] = {"REDIS_URL": args.redis, "PAGE_CACHE_PREFIX": prefix}
        modes["redis+fast"] = {"REDIS_URL": args.redis, "PAGE_CACHE_PREFIX": prefix + "fast:"}
    except redis.RedisError as error:
        print(f"Redis skipped: {error}")
    apps = {
        mode: create_app(
            {
                "DATABASE_URL": args.database,
                "PAGE_CACHE": mode.split("+")[0],
                "FAST_PATH": mode.endswith("+fast"),
                **extra,
            }
        )
        for mode, extra in modes.items()
    }
    pages = find_pages(apps["off"])
    print(f"{args.rounds} rounds per page; ms are medians; sql and renders are per request")
    header = f"{'page':44} {'cold ms':>8} {'sql':>4} {'renders':>7}"
    for mode in list(modes)[1:]:
        header += f" {mode + ' ms':>10} {'sql':>4} {'renders':>7} {'cold/warm':>9}"
    print(header)
    for host, path in pages:
        cold, sql, renders = measure(apps["off"], host, path, args.rounds)
        line = f"{host.split('.')[0] + path:44} {cold:8.2f} {sql:4d} {renders:7d}"
        for mode in list(modes)[1:]:
            warm, warm_sql, warm_renders = measure(apps[mode], host, path, args.rounds)
            line += f" {warm:10.3f} {warm_sql:4d} {warm_renders:7d} {cold / warm:9.0f}"
        print(line, flush=True)
    for mode in ("redis", "redis+fast"):
        if mode in modes:
            apps[mode].extensions["page_cache"].clear()
    client.close()


if __name__ == "__main__":
    main()
