"""Listing pages: no count(*) over the whole listing on each request, and never a stale count.

The number of pages is counted once per state of the store (its version and the latest due
publication time) and kept; a write or a post coming due makes a new count.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

PAGES = re.compile(r"Page (\d+) of (\d+)")


class Counts:
    """Record the count(*) statements of listings an engine runs (not the comment counts of a
    page's posts, which every listing page asks for its own posts)."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _capture(self, _conn, _cursor, statement, *_args):
        if "count(*)" in statement and "FROM comment" not in statement:
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._capture)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._capture)


@pytest.fixture
def counts(app):
    return lambda: Counts(app.extensions["db"]["engine"])


def pages_of(response) -> tuple[int, int]:
    found = PAGES.search(response.text)
    assert found, response.text
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize("path", ["/en/", "/en/?page=2", "/en/category/rivers/", "/en/2025/"])
def test_a_listing_is_counted_once_per_state_of_the_store(
    blog, make_post, make_term, counts, clock, path
):
    rivers = make_term("category", "rivers", en="Rivers")
    for _ in range(25):
        make_post(language="en", terms=(rivers,))
    with counts() as first:
        assert pages_of(blog.get(path))[1] == 3
    assert len(first.statements) == 1
    with counts() as again:
        assert pages_of(blog.get(path))[1] == 3
        clock.advance(minutes=5)  # time passes, nothing comes due: the count holds
        assert pages_of(blog.get(path))[1] == 3
    assert again.statements == []


def test_a_write_makes_a_new_count(blog, make_post, counts):
    for _ in range(20):
        make_post(language="en")
    assert pages_of(blog.get("/en/")) == (1, 2)
    make_post(language="en")
    with counts() as after:
        assert pages_of(blog.get("/en/")) == (1, 3)
    assert len(after.statements) == 1
    assert blog.get("/en/?page=3").status_code == 200


def test_a_post_coming_due_makes_a_new_count(blog, make_post, clock):
    for _ in range(20):
        make_post(language="en", published_at=clock() - timedelta(days=1))
    make_post(language="en", title="Soon", published_at=clock() + timedelta(minutes=5))
    assert pages_of(blog.get("/en/")) == (1, 2)
    assert blog.get("/en/?page=3").status_code == 404
    clock.advance(minutes=6)  # nothing is written: only the clock passes the publication time
    assert pages_of(blog.get("/en/")) == (1, 3)
    assert "Soon" in blog.get("/en/").text
    assert blog.get("/en/?page=3").status_code == 200


def test_a_short_page_needs_no_count(blog, make_post, counts):
    for _ in range(13):
        make_post(language="en")
    with counts() as last:
        assert pages_of(blog.get("/en/?page=2")) == (2, 2)
        assert blog.get("/en/?page=3").status_code == 404
    assert last.statements == []
