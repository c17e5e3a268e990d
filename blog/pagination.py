"""One page of a listing, the page number coming from the request.

A public listing's first page asks for its rows only (LIMIT). The number of pages, and any
further page (?page=N: addresses stay as they are), need the whole listing: the ids of its
posts in order, read once per state of the store and kept by the app (`listing_ids`). So
a page costs the same with 100 posts or 10,000, and page 500 does not make the database walk,
and test for visibility and language, the 4,990 posts before it (OFFSET) at every request:
it loads its own posts by id. A short first page needs nothing more: it is the last.

The desk's lists (filters in the query string, no store state) are paged with OFFSET over
their ids, then load the page's posts by id, and are counted at every request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, g, request
from sqlalchemy import Select, func, select

from . import db, entries
from .models import Post
from .storestate import per_store_state
from .visibility import Bound

PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


@dataclass
class Pagination:
    items: list
    page: int
    pages: int
    total: int


def paginate(
    statement: Select | Bound,
    load: Callable | None = None,
    per_page: int | None = None,
    options: tuple = (),
    scans: bool = False,
) -> Pagination:
    """Run one page of `statement`, the page number coming from ?page= (404 when invalid).

    The public pages give a Bound statement and `load(connection, bound)` that returns its
    rows (entries.loaded); the desk gives an ORM statement of posts, whose objects it gets,
    loaded with `options` (what its rows show beyond each post). A desk statement that
    `scans` every post whatever the page (a text search) has all its ids read at once: one
    pass for the page and its count instead of two.
    """
    per_page = per_page or current_app.config["POSTS_PER_PAGE"]
    raw = request.args.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw):
        abort(404)
    page = int(raw)
    offset = (page - 1) * per_page
    if load is None:
        # The page's ids first (the index alone, past the rows before the page), then its
        # posts in full: OFFSET reads every column of every row it skips (texts included).
        if scans:
            every = list(db.session().scalars(_ids(statement)))
            ids, total = every[offset : offset + per_page], len(every)
        else:
            ids = list(db.session().scalars(_ids(statement).limit(per_page).offset(offset)))
            total = offset + len(ids) if len(ids) < per_page else None
        if not ids and page > 1:
            abort(404)
        # By primary key alone: the statement's conditions again would walk its index.
        place = {post_id: index for index, post_id in enumerate(ids)}
        found = db.session().scalars(select(Post).where(Post.id.in_(ids)).options(*options))
        items = sorted(found, key=lambda post: place[post.id])
        if total is None:
            total = _count(statement)
    elif page == 1:
        items = load(db.connection(), statement.page(per_page, 0))
        total = len(items) if len(items) < per_page else len(listing_ids(statement))
    else:
        ids = listing_ids(statement)
        window = ids[offset : offset + per_page]
        if not window:
            abort(404)
        place = {post_id: index for index, post_id in enumerate(window)}
        items = sorted(load(db.connection(), entries.by_ids(window)), key=lambda e: place[e.id])
        total = len(ids)
    return Pagination(items, page, max(1, math.ceil(total / per_page)), total)


def listing_ids(statement: Bound) -> list[int]:
    """Return the ids of a public listing's posts in its order, read once per store state.

    A public listing depends on its address, the reader's choice of languages and the
    store's state as conditional requests see it (caching.store_moment: the store's version
    and the latest due publication time, which moves when a scheduled post comes due).
    """
    return per_store_state(
        ("listing", request.path, g.reading.only),
        lambda: list(statement.with_only_columns(Post.id).run(db.connection()).scalars()),
    )


def _ids(statement: Select) -> Select:
    """Return the ids of a desk statement's posts, in its order."""
    return statement.with_only_columns(Post.id)


def _count(statement: Select) -> int:
    subquery = _ids(statement).order_by(None).subquery()
    return db.session().scalar(select(func.count()).select_from(subquery))
