"""What readers may see: published, due, not in the trash, on the site they read.

The one definition of "public" as SQL conditions; `Post.is_visible` is the same rule for a
post already loaded. Every public surface (pages, listings, feeds, sitemaps, old addresses)
selects through these conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Exists, Select, and_, bindparam, exists, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from .models import Post, Publication, Status, UTCDateTime
from .sites import Site

# The time of the request in a statement built once (see built): given at each execution.
NOW = bindparam("now", type_=UTCDateTime)


def built(site: Site, key: Hashable, build: Callable[[], Select]) -> Select:
    """Return the statement `build()` makes for `site`, built the first time only.

    `key` names what the statement depends on besides the site (its kind of page, the
    language…); values that change per request are bind parameters (NOW, a slug, a term),
    given at execution (see Bound).
    """
    found = site.statements.get(key)
    if found is None:
        found = site.statements[key] = build()
    return found


# The first pages of built statements (Bound.page), built once per statement.
_PAGED: dict[int, tuple[Select, Select]] = {}
LIMIT, OFFSET = bindparam("limit"), bindparam("offset")


@dataclass(frozen=True, slots=True)
class Bound:
    """A statement built once and the values of one execution of it.

    Giving values with `Select.params()` copies the whole statement and makes SQLAlchemy
    walk the copy for its cache key, at every request: milliseconds for a listing. A Bound
    keeps the statement as built (its compiled form is found at once) and passes the values
    to `execute`.
    """

    statement: Select
    params: dict

    def page(self, limit: int, offset: int) -> Bound:
        """Return `limit` rows from `offset` of this statement, as another Bound."""
        known = _PAGED.get(id(self.statement))
        if known is None:
            paged = self.statement.limit(LIMIT).offset(OFFSET)
            # The statement is kept with its page, so that its id is never another's.
            known = _PAGED[id(self.statement)] = (self.statement, paged)
        return Bound(known[1], {**self.params, "limit": limit, "offset": offset})

    def with_only_columns(self, *columns) -> Bound:
        return Bound(self.statement.with_only_columns(*columns), self.params)

    def run(self, connection):
        """Execute on a Connection or a Session; return its Result."""
        return connection.execute(self.statement, self.params)


def visible(now: datetime, entity=Post):
    """Return the condition "published, due and not in the trash" for a Post entity."""
    return and_(
        entity.status == Status.PUBLISHED,
        entity.published_at <= now,
        entity.deleted_at.is_(None),
    )


def row_by_row(statement: Select) -> Exists:
    """Return EXISTS of `statement`, asked row by row through its indexes.

    PostgreSQL turns an EXISTS under an OR into a hashed subplan, built at every request by
    reading the whole table (every post, to know which are visible); an OFFSET keeps it a
    correlated subquery (the planner pulls up no subquery that has one), looked up for the
    few rows a page reads. SQLite asks it row by row anyway.
    """
    return statement.offset(0).exists()


def on_site(site: Site, now: datetime, entity=Post):
    """Return the condition "visible to readers of `site` at `now`" for a Post entity.

    An announcement is visible only while what it links to is: the announced post, or its
    version in the announcement's language (Post.announced_version is the same rule).
    """
    original, version = aliased(Post), aliased(Post)
    return and_(
        visible(now, entity),
        exists().where(Publication.post_id == entity.id, Publication.site == site.key),
        or_(
            entity.announces_id.is_(None),
            row_by_row(
                select(original.id).where(
                    original.id == entity.announces_id, visible(now, original)
                )
            ),
            row_by_row(
                select(version.id).where(
                    original.id == entity.announces_id,
                    version.translation_key == original.translation_key,
                    version.language == entity.language,
                    visible(now, version),
                )
            ),
        ),
    )


class unindexed(FunctionElement):
    """A column that SQLite's planner must not use an index for (its documented unary `+`).

    Without statistics, SQLite takes an equality on a column of three values (the kind, the
    language) for a selective one: it would read every post of that kind or language through
    an index and sort them, where a listing should walk the date order (ix_post_published_at,
    ix_post_home) and stop after one page, and an address should use its (language, slug)
    index. PostgreSQL plans from statistics and gets the column as it is.
    """

    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _as_is(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unary_plus(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


def of_kinds(kinds, entity=Post):
    """Return the condition "one of these kinds", which no SQLite index serves (see unindexed)."""
    return unindexed(entity.kind).in_(list(kinds))
