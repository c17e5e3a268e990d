"""Time the public pages through the WSGI app (no network), on demo content plus N posts.

    python bench/pages.py [--posts 500] [--rounds 200]

Prints, for each page, the median and 95th percentile time per request and the SQL
statements it ran. Numbers depend on the machine; compare runs on the same one.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from blog import create_app
from blog.demo import load_demo
from blog.models import Post, PublicationKind, Status
from blog.schema import upgrade

PAGES = [
    ("blog.localhost", "/fr/"),
    ("blog.localhost", "/en/2026/06/what-flood-marks-tell-us/"),
    ("blog.localhost", "/fr/category/fieldwork/"),
    ("blog.localhost", "/fr/feed.atom"),
    ("blog.localhost", "/sitemap.xml"),
    ("blog.localhost", "/sitemap-1.xml"),
    ("book.localhost", "/"),
]


def seed(session, count: int) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for n in range(count):
        post = Post(
            language=("fr", "en", "it")[n % 3],
            title=f"Note de travail {n}",
            slug=f"note-{n}",
            status=Status.PUBLISHED,
            published_at=start + timedelta(hours=n),
        )
        post.set_source("Un paragraphe **court**.\n\n" * 8)
        post.publish_on("blog", PublicationKind.HOME)
        session.add(post)
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"})
        with app.app_context():
            upgrade()
        with app.extensions["db"]["sessionmaker"]() as session:
            load_demo(session)
            seed(session, args.posts)
        statements = []
        event.listen(app.extensions["db"]["engine"], "before_cursor_execute",
                     lambda *a: statements.append(1))  # fmt: skip
        client = app.test_client()
        print(f"{args.posts} extra posts, {args.rounds} rounds per page")
        print(f"{'page':48} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'304 ms':>8}")
        for host, path in PAGES:
            client.get(path, headers={"Host": host})  # warm up
            timings = []
            for _ in range(args.rounds):
                statements.clear()
                began = time.perf_counter()
                response = client.get(path, headers={"Host": host})
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            queries = len(statements)
            etag = response.headers["ETag"]
            cached = []
            for _ in range(args.rounds):
                began = time.perf_counter()
                client.get(path, headers={"Host": host, "If-None-Match": etag})
                cached.append((time.perf_counter() - began) * 1000)
            timings.sort()
            print(f"{host + path:48} {statistics.median(timings):10.2f} "
                  f"{timings[int(len(timings) * 0.95) - 1]:8.2f} {queries:8d} "
                  f"{statistics.median(cached):8.2f}")  # fmt: skip
        app.extensions["db"]["engine"].dispose()


if __name__ == "__main__":
    main()
