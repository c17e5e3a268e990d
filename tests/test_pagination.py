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
    """Record the statements that read a whole listing: its count(*) (not the comment counts
    of a page's posts, which every listing page asks for its own posts) or its ids in order
    (what a further page reads instead of walking the rows before it)."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _capture(self, _conn, _cursor, statement, *_args):
        counts = "count(*)" in statement and "FROM comment" not in statement
        # (Subqueries say OFFSET 0, row_by_row's: the whole statement ends with its order.)
        ids = statement.startswith("SELECT post.id \nFROM post JOIN") and statement.endswith("DESC")
        if counts or ids:
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


def test_a_short_first_page_needs_no_count(blog, make_post, counts):
    for _ in range(7):
        make_post(language="en")
    with counts() as short:
        assert blog.get("/en/").status_code == 200
    # The first page is short: it is the last, and nothing counts the listing.
    assert short.statements == []
    assert blog.get("/en/?page=2").status_code == 404


@pytest.mark.parametrize("path", ["/en/", "/en/category/rivers/", "/en/{year}/"])
def test_a_further_page_walks_no_row_before_it(
    blog, make_post, make_term, count_queries, clock, path
):
    """Page N loads its own posts by id: no OFFSET, the same posts in the same order, and a
    write (a new post pushes every page by one) shows at once."""
    rivers = make_term("category", "rivers", en="Rivers")
    titles = [f"Number {n:02}" for n in range(25)]
    for minutes, title in enumerate(titles):
        make_post(
            language="en",
            title=title,
            terms=(rivers,),
            published_at=clock() - timedelta(days=30) + timedelta(minutes=minutes),
        )
    newest_first = titles[::-1]
    path = path.format(year=(clock() - timedelta(days=30)).year)
    with count_queries() as queries:
        second = blog.get(path + "?page=2")
    assert not [s for s in queries.statements if s.rstrip().endswith("OFFSET ?")]
    assert re.findall(r"Number \d\d", second.text) == newest_first[10:20]
    assert re.findall(r"Number \d\d", blog.get(path + "?page=3").text) == newest_first[20:]
    make_post(
        language="en",
        title="Number 99",
        terms=(rivers,),
        published_at=clock() - timedelta(days=30) + timedelta(hours=1),
    )
    assert re.findall(r"Number \d\d", blog.get(path + "?page=2").text) == newest_first[9:19]
    assert pages_of(blog.get(path + "?page=3")) == (3, 3)


def test_a_further_page_keeps_each_readers_choice_of_languages(app, blog, make_post, clock):
    """The ids a further page is cut from are kept per choice: a reader hiding the other
    languages never gets the page cut for a reader who shows them, nor the reverse."""
    for minutes in range(15):
        when = clock() - timedelta(days=1) + timedelta(minutes=minutes)
        make_post(language="en", title=f"English {minutes:02}", published_at=when)
        make_post(language="fr", title=f"Français {minutes:02}", published_at=when)
    only = app.config["ONLY_LANGUAGE_COOKIE"]
    hiding = app.test_client()
    hiding.set_cookie(only, "1", domain="blog.localhost")
    for _ in range(2):  # each order of the two readers, the ids kept from the first
        shown = blog.get("/en/?page=2").text
        hidden = hiding.get("/en/?page=2", base_url="http://blog.localhost").text
        assert re.findall(r"Français \d\d", shown) and pages_of(blog.get("/en/?page=2")) == (2, 3)
        assert re.findall(r"English \d\d", hidden) == [f"English {n:02}" for n in range(4, -1, -1)]
        assert re.findall(r"Français \d\d", hidden) == []
