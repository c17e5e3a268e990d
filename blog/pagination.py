"""One page of a listing, the page number coming from the request."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask import abort, current_app, request
from sqlalchemy import Select, func, select

from . import db

PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


@dataclass
class Pagination:
    items: list
    page: int
    pages: int
    total: int


def paginate(statement: Select, per_page: int | None = None) -> Pagination:
    """Run one page of `statement`, the page number coming from ?page= (404 when invalid)."""
    per_page = per_page or current_app.config["POSTS_PER_PAGE"]
    raw = request.args.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw):
        abort(404)
    page = int(raw)
    session = db.session()
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        abort(404)
    items = list(session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    return Pagination(items, page, pages, total)
