"""The reader's ways in besides the newest posts: the archive by year and month, the categories.

Both pages count what the listings they lead to list (the same conditions: the site, the
language and its fallback policy, the reader's "only in my language"), so that a count is
the number of posts its page shows. A count reads every listed post of the site once: it is
asked once per state of the store (storestate.per_store_state), then kept, so that these
pages cost a constant few statements whatever the archive's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .. import db, entries, queries
from ..entries import TermEntry
from ..models import TermKind
from ..sites import Reading
from ..storestate import per_store_state
from . import now, route
from .pages import render


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    count: int

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Year:
    year: int
    count: int
    months: tuple[Month, ...]


@dataclass(frozen=True)
class CountedTerm:
    term: TermEntry
    count: int


def archive_years(reading: Reading) -> list[Year]:
    """Return the years and months that have posts for this reading, newest first, counted."""

    def compute() -> list[Year]:
        statement = queries.archive_months(reading.site, reading.language, now(), reading.only)
        by_year: dict[int, list[Month]] = {}
        for year, month, count in statement.run(db.connection()):
            by_year.setdefault(int(year), []).append(Month(int(year), int(month), count))
        return [
            Year(year, sum(m.count for m in months), tuple(months))
            for year, months in by_year.items()
        ]

    return per_store_state(("archive", reading.language, reading.only), compute)


def counted_categories(reading: Reading) -> list[CountedTerm]:
    """Return the categories that have posts for this reading, with their counts, by name."""

    def compute() -> list[CountedTerm]:
        connection = db.connection()
        statement = queries.term_counts(
            reading.site, reading.language, now(), TermKind.CATEGORY, reading.only
        )
        counts = dict(statement.run(connection).all())
        found = [CountedTerm(t, counts[t.id]) for t in entries.terms(connection, list(counts))]
        return sorted(found, key=lambda c: (c.term.name(reading.language).casefold(), c.term.id))

    return per_store_state(("categories", reading.language, reading.only), compute)


@route("/archive/")
def archive_index(reading: Reading):
    return render(reading, "public/archive_index.html", years=archive_years(reading))


@route("/category/")
def category_index(reading: Reading):
    return render(reading, "public/category_index.html", categories=counted_categories(reading))
