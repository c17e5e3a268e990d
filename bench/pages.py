"""Time the public pages through the WSGI app (no network), on demo content plus N posts.

    python -m bench.pages [--posts 500] [--rounds 200]
    python -m bench.pages --store /tmp/store-10000.sqlite3 [--rounds 200] [--profile]

Prints, for each page, the median and 95th percentile wall-clock time per request, the median
CPU time (steadier than wall-clock time on a shared machine), the SQL statements it ran and
the thousands of SQLite virtual machine instructions they took (the database's work, which
does not depend on the machine), the Python function calls it made (the Python side's work,
which does not depend on the machine either), the time of its 304, and the median CPU time of
a minimal Flask app answering the same bytes from a dict in the same process (the in-process
floor) with the ratio floor / page.

With `--store`, the pages are those of a store built by bench/store.py (a copy of the file is
brought up to date with the migrations; the store itself is not touched). With `--profile`,
each page is also run under cProfile and the functions with the most own time are printed.
Numbers depend on the machine; compare runs on the same one.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, Response, request
from sqlalchemy import event, select

from bench import store as generator
from blog import create_app
from blog.demo import load_demo
from blog.models import Kind, Post, PublicationKind, Status, Term, TermKind
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


def store_pages(session, with_sitemap: bool) -> list[tuple[str, str]]:
    """Return the pages of a bench/store.py store: its sample, plus page 2, a tag, a month."""
    sample = generator.sample_pages(session)
    post = sample["post"][1]
    month = post.rsplit("/", 2)[0] + "/"
    tag = session.scalar(select(Term.slug).where(Term.kind == TermKind.TAG).order_by(Term.id))
    book_post = session.scalar(
        select(Post)
        .where(Post.kind == Kind.POST, Post.publications.any(site="book"))
        .order_by(Post.published_at.desc())
    )
    pages = [
        sample["home"],
        ("blog.localhost", "/en/?page=2"),
        sample["post"],
        sample["category"],
        ("blog.localhost", f"/en/tag/{tag}/"),
        ("blog.localhost", month),
        sample["feed"],
        sample["book home"],
        ("book.localhost", f"/{book_post.published_at:%Y/%m}/{book_post.slug}/"),
    ]
    return [*pages, sample["sitemap"]] if with_sitemap else pages


def floor_app(answers: dict[tuple[str, str], tuple[bytes, str]]) -> Flask:
    """Return a minimal Flask app answering each (host, path) with the given bytes."""
    floor = Flask("floor")

    @floor.route("/", defaults={"_path": ""})
    @floor.route("/<path:_path>")
    def answer(_path: str) -> Response:
        body, content_type = answers[(request.host.split(":")[0], request.full_path)]
        return Response(body, content_type=content_type)

    return floor


def timed(client, rounds: int, path: str, headers: dict, cpu: list | None = None) -> list[float]:
    """Return the sorted wall-clock ms of each request; append their CPU ms to `cpu`."""
    timings = []
    for _ in range(rounds):
        began, began_cpu = time.perf_counter(), time.process_time()
        client.get(path, headers=headers)
        timings.append((time.perf_counter() - began) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - began_cpu) * 1000)
    return sorted(timings)


class VirtualMachineSteps:
    """Count the thousands of SQLite virtual machine instructions run: the database's work."""

    def __init__(self, engine):
        self.count = 0
        engine.dispose()
        event.listen(engine, "connect", self._watch)

    def _watch(self, dbapi_connection, _record) -> None:
        dbapi_connection.set_progress_handler(self._step, 1000)

    def _step(self) -> int:
        self.count += 1
        return 0


def python_calls(client, path: str, headers: dict) -> int:
    """Return the Python function calls one request makes: its Python work, which, unlike
    its time, does not depend on the machine or its load."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path, headers=headers)
    profiler.disable()
    return pstats.Stats(profiler).total_calls


def profile(client, rounds: int, path: str, headers: dict, limit: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        client.get(path, headers=headers)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=500, help="posts added to the demo")
    parser.add_argument("--store", help="a SQLite store built by bench/store.py, instead")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--sitemap", action="store_true", help="also the sitemap (--store)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile per page")
    parser.add_argument(
        "--cache", default="off", help="PAGE_CACHE: off (the read path itself), memory or redis"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        database = Path(workdir) / "bench.sqlite3"
        if args.store:
            shutil.copyfile(args.store, database)
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{database}",
                "PAGE_CACHE": args.cache,
                "MEDIA_DIR": str(Path(workdir) / "media"),
            }
        )
        with app.app_context():
            upgrade()
        with app.app_context(), app.extensions["db"]["sessionmaker"]() as session:
            if args.store:
                pages = store_pages(session, args.sitemap)
            else:
                load_demo(session)
                seed(session, args.posts)
                pages = PAGES
        statements = []
        engine = app.extensions["db"]["engine"]
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
        steps = VirtualMachineSteps(engine)
        client = app.test_client()
        answers, rows, profiles = {}, [], []
        for host, path in pages:
            headers = {"Host": host}
            response = client.get(path, headers=headers)  # warm up
            assert response.status_code == 200, (path, response.status_code)
            answers[(host, response.request.full_path)] = (response.data, response.content_type)
            statements.clear()
            steps.count = 0
            client.get(path, headers=headers)
            queries, work = len(statements), steps.count
            calls = python_calls(client, path, headers)
            rounds = max(5, args.rounds // 10) if path.endswith("sitemap.xml") else args.rounds
            cpu = []
            timings = timed(client, rounds, path, headers, cpu)
            etag = {"If-None-Match": response.headers["ETag"], **headers}
            cached = timed(client, rounds, path, etag)
            rows.append((host, path, timings, statistics.median(cpu), queries, work,
                         statistics.median(cached), rounds, calls))  # fmt: skip
            if args.profile:
                profiles.append((host + path, profile(client, rounds, path, headers, 30)))
        floor = floor_app(answers).test_client()
        print(f"{args.store or f'{args.posts} extra posts'}, {args.rounds} rounds per page")
        print(f"{'page':50} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>7} {'queries':>7}"
              f" {'kVM':>6} {'calls':>6} {'304 ms':>6} {'floor ms':>8} {'×floor':>6}")  # fmt: skip
        for host, path, timings, cpu, queries, work, cached, rounds, calls in rows:
            floor_cpu = []
            timed(floor, rounds, path, {"Host": host}, floor_cpu)
            base = statistics.median(floor_cpu)
            median = statistics.median(timings)
            print(f"{host + path:50} {median:9.2f} {timings[int(len(timings) * 0.95) - 1]:7.2f}"
                  f" {cpu:7.2f} {queries:7d} {work:6d} {calls:6d} {cached:6.2f} {base:8.3f}"
                  f" {base / cpu:6.3f}")  # fmt: skip
        probed(client, statements, args.rounds)
        for page, text in profiles:
            print(f"\n===== {page}\n{text}")
        app.extensions["db"]["engine"].dispose()


def probed(client, statements: list, rounds: int) -> None:
    """Print what a 404 costs when a crawler probes a new address each time (/wp-login.php,
    /.env, …): with the response cache on, the site's 404 page is rendered once per reading."""
    headers = {"Host": "blog.localhost"}
    addresses = (f"/probe-{n}.php" for n in range(10**6))
    assert client.get(next(addresses), headers=headers).status_code == 404
    statements.clear()
    client.get(next(addresses), headers=headers)
    queries = len(statements)
    calls = python_calls(client, next(addresses), headers)
    cpu = []
    for _ in range(rounds):
        timed(client, 1, next(addresses), headers, cpu)
    print(f"{'404, a new address each time':50} {'':9} {'':7} {statistics.median(cpu):7.2f}"
          f" {queries:7d} {'':6} {calls:6d}")  # fmt: skip


if __name__ == "__main__":
    main()
