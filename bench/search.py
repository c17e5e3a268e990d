"""Query latency of search at N posts: in-process (search.search) and the whole page.

    python -m bench.search --posts 10000                  # builds a store with bench/store.py
    python -m bench.search --store /tmp/bench.sqlite3     # a store built before
    python -m bench.search --database postgresql://postgres@127.0.0.1:5432/bench_search

Each query of QUERIES is asked ROUNDS times by a reader of its language on the blog (its
fallback policy "show": every language of the site is searched), first page of 10. Prints
p50 and p95 in milliseconds per query and over all, for `search.search` alone (what issue
17's target, p95 under 20 ms on SQLite, is about) and for the page through the test client.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.store import make_store
from blog import create_app, db, search
from blog.sites import registry

# (reader's language, query): broad words that most posts hold, narrow ones, several words,
# a place, a word with an accent typed without it, an elision, words found nowhere.
QUERIES = [
    ("fr", "archives"),
    ("fr", "rivière"),
    ("fr", "riviere Lyon"),
    ("fr", "l'égout de Bologne"),
    ("fr", "odeur de vase"),
    ("fr", "moulin Grenoble note"),
    ("en", "archives"),
    ("en", "bridges"),
    ("en", "washerwomen photographs"),
    ("en", "mill Norwich"),
    ("en", "zzxq nothing"),
    ("it", "fiume"),
    ("it", "mulino Verona"),
    ("it", "fotografie lavandaie"),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(url: str, rounds: int) -> None:
    app = create_app({"DATABASE_URL": url, "PAGE_CACHE": "off"})
    site = app.extensions["sites"]["blog"]
    client = app.test_client()
    everything, pages = [], []
    print(f"{'query':<30} {'lang':<4} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8} {'page p95':>9}")
    for language, query in QUERIES:
        times = []
        with app.test_request_context(base_url="http://blog.localhost"):
            connection, site = db.connection(), registry()["blog"]
            now = datetime.now(UTC)
            for _ in range(rounds):
                began = time.perf_counter()
                results = search.search(connection, site, language, query, now)
                times.append((time.perf_counter() - began) * 1000)
            db.session().close()
        page_times = []
        for _ in range(max(1, rounds // 4)):
            began = time.perf_counter()
            response = client.get(
                f"/{language}/search", query_string={"q": query}, base_url="http://blog.localhost"
            )
            page_times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        everything += times
        pages += page_times
        print(
            f"{query:<30} {language:<4} {results.total:>6} {percentile(times, 0.5):>8.2f} "
            f"{percentile(times, 0.95):>8.2f} {percentile(page_times, 0.95):>9.2f}"
        )
    print(
        f"{'all queries':<30} {'':<4} {'':>6} {statistics.median(everything):>8.2f} "
        f"{percentile(everything, 0.95):>8.2f} {percentile(pages, 0.95):>9.2f}"
    )
    app.extensions["db"]["engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts in a new store")
    parser.add_argument("--store", help="a SQLite store built by bench/store.py")
    parser.add_argument("--database", help="an empty database to build the store in")
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    if args.store:
        url = f"sqlite:///{Path(args.store).resolve()}"
    else:
        url = args.database or f"sqlite:///{Path(f'/tmp/bench-search-{os.getpid()}.sqlite3')}"
        report = make_store(url, args.posts)
        print(f"store: {report['posts']} posts in {report['seconds']} s → {url}")
    measure(url, args.rounds)


if __name__ == "__main__":
    main()
