"""Imports in batches: the statements a post costs do not grow with the size of the import."""

import importlib

import pytest
from sqlalchemy import event, func, select

from blog import db
from blog.models import OldAddress, Post
from blog.moving import batches

from .helpers import empty_tables

bench_import = importlib.import_module("bench.import")


@pytest.fixture
def measure(app, cli, tmp_path, count_queries, monkeypatch):
    """Return a function that imports a generated export of N posts, then the Markdown folder
    written from it into an empty store, and returns what each import cost: (statements,
    flushes) for import-wxr, then for import-markdown."""
    monkeypatch.setattr(batches, "BATCH", 10)
    factory = app.extensions["db"]["sessionmaker"]
    flushes = []

    def count_flush(*_args):
        flushes.append(1)

    event.listen(factory, "after_flush", count_flush)

    def run(posts: int) -> tuple[tuple[int, int], tuple[int, int]]:
        wxr, folder = tmp_path / f"{posts}.xml", tmp_path / f"markdown-{posts}"
        bench_import.write_wxr(wxr, posts)
        with app.app_context():
            empty_tables(db.engine())
        flushes.clear()
        with count_queries() as statements:
            result = cli("import-wxr", str(wxr), "--site", "blog")
        assert f"Imported into blog: {posts} posts" in result.output
        by_wxr = (statements.count, len(flushes))
        cli("export-markdown", str(folder))
        with app.app_context():
            empty_tables(db.engine())
        flushes.clear()
        with count_queries() as statements:
            result = cli("import-markdown", str(folder))
        assert f"{posts} created" in result.output
        return by_wxr, (statements.count, len(flushes))

    yield run
    event.remove(factory, "after_flush", count_flush)


def test_a_post_costs_the_same_few_statements_in_an_import_of_any_size(measure, session):
    small, medium, large = measure(20), measure(40), measure(60)
    assert session.scalar(select(func.count(Post.id))) == 60
    assert session.scalar(select(func.count(OldAddress.id))) == 120
    for command in (0, 1):
        (s20, f20), (s40, f40), (s60, f60) = small[command], medium[command], large[command]
        # 20 more posts cost no more statements than the 20 before (fewer: the terms are all
        # there by then), and few: a post's rows are inserted one by one on SQLite (the ORM
        # batches its INSERTs only where RETURNING keeps the rows' order, as on PostgreSQL).
        assert s60 - s40 <= s40 - s20 <= 20 * 9, (s20, s40, s60)
        # Two flushes per batch of 10: the posts, then the rows that need their ids.
        assert f60 - f40 == f40 - f20 == 2 * 2, (f20, f40, f60)
