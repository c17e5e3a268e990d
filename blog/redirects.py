"""Old addresses: a link from a previous engine (WordPress) answers 301 to the post's URL here.

Imports record each post's old permalink path and `?p=ID` (models.OldAddress).
A request that nothing here answers (a 404) is looked up among the old addresses
of its site; so is any request carrying `?p=ID` or `?page_id=ID`, before the site's
home page answers it, since WordPress addressed every post that way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import unquote, urlencode

from flask import current_app, redirect, request
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import clock, db
from .models import OLD_PATH_MAX, OldAddress, Post
from .sites import Site
from .urls import post_url
from .visibility import NOW, built, on_site

# The parameters by which WordPress addresses a post whatever its permalink settings.
ID_PARAMETERS = ("p", "page_id")
QUERY_MAX = 200
# An id is ASCII digits only (str.isdigit also says yes to "²" and "①", which int() refuses),
# and small enough for any integer column.
POST_ID = re.compile(r"[0-9]{1,18}")


def post_id(value: str) -> int | None:
    """Return the id that a `?p=` or `?page_id=` value names, or None if it names none."""
    return int(value) if POST_ID.fullmatch(value) else None


def old_path(path: str) -> str:
    """Return a path as old addresses keep it: percent-decoded, NFC, without trailing slash."""
    path = unicodedata.normalize("NFC", unquote(path or "/"))
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


def old_query(params: Iterable[tuple[str, str]]) -> str:
    """Return a query as old addresses keep it: its parameters sorted ("" for none)."""
    return urlencode(sorted(params))


def old_queries(params: Iterable[tuple[str, str]]) -> list[str]:
    """Return the stored queries that a request's parameters may match, most specific first."""
    params = list(params)
    found = [old_query(params)]
    for name in ID_PARAMETERS:
        number = post_id(next((v for k, v in params if k == name), ""))
        if number is not None:
            found.append(f"{name}={number}")
    # Tracking parameters and the like: the bare path still names the post.
    found.append("")
    return [q for q in dict.fromkeys(found) if len(q) <= QUERY_MAX]


def add_old_address(session: Session, site: str, path: str, query: str, post_id: int) -> int:
    """Let an old address lead to a post, unless it already leads to one; return that post's id.

    The caller compares the answer with `post_id`: another id means the address was taken.
    """
    holder = session.scalar(
        select(OldAddress.post_id).where(
            OldAddress.site == site, OldAddress.path == path, OldAddress.query == query
        )
    )
    if holder is not None:
        return holder
    session.add(OldAddress(site=site, path=path, query=query, post_id=post_id))
    # Seen by the next lookup even in a session that does not flush by itself (an import).
    session.flush()
    return post_id


def _by_old_address(site: Site) -> Select:
    # Built once per site (every 404 asks it): the address and the time are parameters.
    return (
        select(OldAddress.query, Post)
        .join(Post, Post.id == OldAddress.post_id)
        .where(
            OldAddress.site == site.key,
            OldAddress.path == bindparam("path"),
            OldAddress.query.in_(bindparam("queries", expanding=True)),
            on_site(site, NOW),
        )
    )


def find_post(
    session: Session, site: Site, path: str, params: Iterable[tuple[str, str]], now: datetime
) -> Post | None:
    """Return the post visible on `site` that an old address (path and query) names, if any."""
    path = old_path(path)
    if len(path) > OLD_PATH_MAX:
        return None
    queries = old_queries(params)
    statement = built(site, "old_address", lambda: _by_old_address(site))
    rows = session.execute(statement, {"path": path, "queries": queries, "now": now}).all()
    if not rows:
        return None
    return min(rows, key=lambda row: queries.index(row[0]))[1]


def answer(site: Site):
    """Return a 301 to the post that this request's old address names, or None."""
    if request.method not in ("GET", "HEAD"):
        return None
    session = db.session()
    try:
        post = find_post(session, site, request.path, request.args.items(multi=True), clock.now())
    except SQLAlchemyError:
        # A database not migrated yet (or unreachable) must not turn a 404 into a 500.
        session.rollback()
        current_app.logger.warning("Old addresses could not be looked up.", exc_info=True)
        return None
    if post is None:
        return None
    return redirect(post_url(post, site), 301)


def answer_post_id(site: Site):
    """Answer `?p=ID` and `?page_id=ID` before the page they were sent to (often the home)."""
    if all(post_id(request.args.get(name, "")) is None for name in ID_PARAMETERS):
        return None
    return answer(site)
