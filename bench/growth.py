"""Does a page cost more as the archive grows? The same page types of two stores, in turn.

    python bench/store.py --posts 100 --database sqlite:////tmp/store-100.sqlite3
    python bench/store.py --posts 10000 --database sqlite:////tmp/store-10000.sqlite3
    python -m bench.growth /tmp/store-100.sqlite3 /tmp/store-10000.sqlite3 --rounds 60

Each store is served by its own app in this process, with the response cache off (the read
path itself). Round after round, each page type is asked once of the small store and once of
the big one, so that both see the same load on a shared machine; the report gives the median
CPU time of each and their ratio (big ÷ small: 1.00 means the page costs the same whatever the
archive's size; issue 14's target is within 1.15), and the SQL statements and SQLite
virtual-machine steps of one request of each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from blog import create_app
from blog.schema import upgrade

from .pages import VirtualMachineSteps, store_pages

KINDS = [
    "home",
    "home, page 2",
    "post",
    "category",
    "tag",
    "archive, month",
    "feed.atom",
    "book home",
    "book post",
]


def serve(store: str, workdir: Path, name: str):
    database = workdir / f"{name}.sqlite3"
    shutil.copyfile(store, database)
    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "PAGE_CACHE": "off"})
    with app.app_context():
        upgrade()
    with app.extensions["db"]["sessionmaker"]() as session:
        pages = store_pages(session, with_sitemap=False)
    return app, pages


def work(app, host: str, path: str) -> tuple[int, int]:
    """Return the statements and thousands of SQLite VM steps of one request."""
    engine = app.extensions["db"]["engine"]
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    steps = VirtualMachineSteps(engine)
    event.listen(engine, "before_cursor_execute", count)
    app.test_client().get(path, headers={"Host": host})
    event.remove(engine, "before_cursor_execute", count)
    return len(statements), steps.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("small")
    parser.add_argument("big")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        stores = {"small": args.small, "big": args.big}
        apps = {name: serve(store, workdir, name) for name, store in stores.items()}
        clients = {name: app.test_client() for name, (app, _pages) in apps.items()}
        cpu = {(name, kind): [] for name in apps for kind in KINDS}
        for name, (_app, pages) in apps.items():
            for host, path in pages:  # warm up: templates compiled, statements built
                assert clients[name].get(path, headers={"Host": host}).status_code == 200, path
        for _ in range(args.rounds):
            for index, kind in enumerate(KINDS):
                for name, (_app, pages) in apps.items():
                    host, path = pages[index]
                    began = time.process_time()
                    clients[name].get(path, headers={"Host": host})
                    cpu[(name, kind)].append((time.process_time() - began) * 1000)
        print(f"{args.small} vs {args.big}, {args.rounds} rounds, CPU ms per request (median)")
        print(f"{'page':16} {'small':>7} {'big':>7} {'big÷small':>9}   statements   kVM")
        for index, kind in enumerate(KINDS):
            small = statistics.median(cpu[("small", kind)])
            big = statistics.median(cpu[("big", kind)])
            works = [work(app, *pages[index]) for app, pages in apps.values()]
            print(
                f"{kind:16} {small:7.2f} {big:7.2f} {big / small:9.2f}"
                f"   {works[0][0]:>4} {works[1][0]:>4}   {works[0][1]:>4} {works[1][1]:>4}"
            )


if __name__ == "__main__":
    main()
