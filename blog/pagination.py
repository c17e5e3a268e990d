"""One page of a listing, the page number coming from the request.

A listing's first page asks for its rows only (LIMIT). The number of pages needs the
listing's size, which costs a count(*) over the whole listing; that count is asked once per
state of the store and kept by the app (see `counted`), so a first page costs the same with
100 posts or 10,000. A short page needs no count at all: it is the last.

A further page (?page=N: addresses stay as they are) would make the database walk, and test
for visibility and language, every row before it (OFFSET): page 500 of a 10,000-post
listing tests 5,000 posts. Instead the listing's ids, in order, are read once per state of
the store (see `listing_ids`), and a page loads its own posts by id: readers and crawlers
walking the archive, and the static export, pay for the walk once, not at every page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from flask import abort, current_app, g, request
from sqlalchemy import Select, func, select

from . import db, entries
from .models import Post
from .visibility import Bound

PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
# Counts kept per app; forgotten all at once beyond this (each write makes new keys anyway).
MAX_COUNTS = 4096
T = TypeVar("T")


@dataclass
class Pagination:
    items: list
    page: int
    pages: int
    total: int


def paginate(
    statement: Select | Bound, load: Callable | None = None, per_page: int | None = None
) -> Pagination:
    """Run one page of `statement`, the page number coming from ?page= (404 when invalid).

    The public pages give a Bound statement and `load(connection, bound)` that returns its
    rows (entries.loaded); the desk gives an ORM statement, whose objects it gets.
    """
    per_page = per_page or current_app.config["POSTS_PER_PAGE"]
    raw = request.args.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw):
        abort(404)
    page = int(raw)
    offset = (page - 1) * per_page
    if load is None:
        items = list(db.session().scalars(statement.limit(per_page).offset(offset)))
    elif page > 1 and g.get("store_moment") is not None:
        ids = listing_ids(statement)
        if offset >= len(ids):
            abort(404)
        window = ids[offset : offset + per_page]
        place = {post_id: index for index, post_id in enumerate(window)}
        items = sorted(load(db.connection(), entries.by_ids(window)), key=lambda e: place[e.id])
        return Pagination(items, page, max(1, math.ceil(len(ids) / per_page)), len(ids))
    else:
        items = load(db.connection(), statement.page(per_page, offset))
    if not items and page > 1:
        abort(404)
    total = offset + len(items) if len(items) < per_page else counted(statement)
    return Pagination(items, page, max(1, math.ceil(total / per_page)), total)


def listing_ids(statement: Bound) -> list[int]:
    """Return the ids of a public listing's posts in its order, read once per store state.

    Kept under the same key as the listing's count (the address, the reader's choice of
    languages, the store's state), and it gives the count too.
    """
    key = (request.path, g.reading.only)
    ids = per_store_state(
        (*key, "ids"),
        lambda: list(statement.with_only_columns(Post.id).run(db.connection()).scalars()),
    )
    return ids


def counted(statement: Select | Bound) -> int:
    """Return the number of rows of a public listing, counted once per state of the store.

    A public listing depends on its address and on the store's state as conditional requests
    see it (caching.validators: the store's version and the latest due publication time,
    which moves when a scheduled post comes due), so that is the key. Elsewhere (the desk,
    whose lists depend on filters in the query string) the count is asked every time.
    """
    return per_store_state((request.path, g.reading.only), lambda: _count(statement))


def per_store_state(key: Hashable, compute: Callable[[], T]) -> T:
    """Return compute(), asked once per state of the store, the site and `key`.

    The state is the one the request's stamp read (caching.store_moment); without one (the
    desk, a command), compute() is asked every time.
    """
    moment = g.get("store_moment")
    if moment is None:
        return compute()
    kept = current_app.extensions.setdefault("listing_counts", {})
    full_key = (*moment, g.reading.site.key, key)
    if full_key in kept:
        return kept[full_key]
    if len(kept) >= MAX_COUNTS:
        kept.clear()
    found = kept[full_key] = compute()
    return found


def _count(statement: Select | Bound) -> int:
    if not isinstance(statement, Bound):
        statement = Bound(statement, {})
    subquery = statement.statement.order_by(None).subquery()
    return db.session().scalar(select(func.count()).select_from(subquery), statement.params)
