"""The search index on SQLite: an FTS5 table of stems, ranked by BM25.

FTS5 tokenizes but stems English only (porter), and no language else: the stems are made
here (analysis.py) for the post's language and stored as words, and a query is stemmed the
same way in each language it may find. One row per post, its rowid the post's id; a language
column restricts each language's stems to the posts written in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from .analysis import terms
from .documents import Document

TABLE = "search_document"
FIELDS = ("title", "summary", "body", "terms")
# BM25 weight of each column (language first, never searched): a title weighs most.
WEIGHTS = (0.0, 10.0, 4.0, 1.0, 3.0)

index = table(TABLE, column("rowid"), column("language"), *(column(f) for f in FIELDS))
_MATCH = literal_column(TABLE)


def create(connection: Connection) -> None:
    connection.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
        f"language, {', '.join(FIELDS)}, tokenize = 'unicode61 remove_diacritics 2')"
    )


def drop(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


def store(connection: Connection, documents: Sequence[Document]) -> None:
    """Write these documents, replacing what the index held of their posts."""
    if not documents:
        return
    forget(connection, [d.id for d in documents])
    rows = [
        {
            "rowid": d.id,
            "language": d.language,
            **{f: " ".join(terms(getattr(d, f), d.language)) for f in FIELDS},
        }
        for d in documents
    ]
    connection.execute(index.insert(), rows)


def forget(connection: Connection, ids: Iterable[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), 500):
        connection.execute(index.delete().where(index.c.rowid.in_(ids[start : start + 500])))


def prune(connection: Connection) -> None:
    """Forget the posts that are no longer in the store (deleted by a bulk statement)."""
    connection.execute(text(f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT id FROM post)"))


def clear(connection: Connection) -> None:
    connection.execute(index.delete())


def expression(stems: Mapping[str, Sequence[str]]) -> str:
    """Return the FTS5 query: in each language, every stem in one of the searched columns."""
    fields = "{" + " ".join(FIELDS) + "}"
    groups = []
    for language, found in stems.items():
        wanted = " AND ".join(f'"{stem}"' for stem in found)
        groups.append(f'(language : "{language}" AND {fields} : ({wanted}))')
    return " OR ".join(groups)


def candidates(languages: Sequence[str]) -> Select:
    """Return the matching posts' ids and scores (lower is better), best first.

    FTS5 ranks its matches by BM25 alone, without looking at the store: the caller keeps
    the best few (a LIMIT) and joins the posts after, so that the visibility of a post is
    asked for those few only, whatever the number of matches.
    """
    del languages  # one expression names them all (see expression)
    score = func.bm25(_MATCH, *WEIGHTS).label("score")
    return (
        select(index.c.rowid.label("post_id"), score)
        .where(_MATCH.op("MATCH")(bindparam("match")))
        .order_by(score)
    )


def parameters(query: str, stems: Mapping[str, Sequence[str]]) -> dict:
    return {"match": expression(stems)}
