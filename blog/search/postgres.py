"""The search index on PostgreSQL: a tsvector per post in its language's configuration.

`to_tsvector('french' | 'english' | 'italian', unaccent(…))`, the title weighted A, the
summary and the term names B, the text D; a GIN index serves `@@`, and one per configured
language (partial, migration 0022) serves it for that language's posts. A query is read by
`plainto_tsquery` in each language it may find, restricted to the posts of that language.
`unaccent` is an extension (contrib), created by migration 0012.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    true,
    union_all,
)

from .documents import Document

TABLE = "search_document"
# PostgreSQL's text search configuration per language; others are only folded ('simple').
CONFIGURATIONS = {
    "fr": "french",
    "en": "english",
    "it": "italian",
    "de": "german",
    "es": "spanish",
    "pt": "portuguese",
    "nl": "dutch",
}

index = table(TABLE, column("post_id"), column("language"), column("document"))

_STORE = text(
    f"INSERT INTO {TABLE} (post_id, language, document) VALUES (:id, :language, "
    "setweight(to_tsvector(CAST(:config AS regconfig), unaccent(:title)), 'A') || "
    "setweight(to_tsvector(CAST(:config AS regconfig), unaccent(:summary)), 'B') || "
    "setweight(to_tsvector(CAST(:config AS regconfig), unaccent(:terms)), 'B') || "
    "setweight(to_tsvector(CAST(:config AS regconfig), unaccent(:body)), 'D'))"
)


def configuration(language: str) -> str:
    return CONFIGURATIONS.get(language, "simple")


def create(connection: Connection) -> None:
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {TABLE} ("
        "post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE, "
        "language VARCHAR(16) NOT NULL, document TSVECTOR NOT NULL)"
    )
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS ix_{TABLE} ON {TABLE} USING GIN (document)"
    )
    create_language_indexes(connection)


def create_language_indexes(connection: Connection) -> None:
    """Index each configured language's posts apart (a GIN index per language, partial).

    A query is matched in each language against that language's posts: through the index
    of all posts, every post holding the word is read and most are dropped for their
    language (a word is often spelled alike in French, English and Italian); through its
    own language's index, only those are read. Posts in other languages use the index of
    all posts.
    """
    for language in CONFIGURATIONS:
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_{language} ON {TABLE} "
            f"USING GIN (document) WHERE language = '{language}'"
        )


def drop(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


def store(connection: Connection, documents: Sequence[Document]) -> None:
    """Write these documents, replacing what the index held of their posts."""
    if not documents:
        return
    forget(connection, [d.id for d in documents])
    rows = [{**d._asdict(), "config": configuration(d.language)} for d in documents]
    connection.execute(_STORE, rows)


def forget(connection: Connection, ids: Iterable[int]) -> None:
    ids = list(ids)
    if ids:
        connection.execute(index.delete().where(index.c.post_id.in_(ids)))


def prune(connection: Connection) -> None:
    """Nothing to do: a deleted post's row goes with it (ON DELETE CASCADE)."""


def clear(connection: Connection) -> None:
    connection.execute(index.delete())


def _query(language: str):
    # A name from CONFIGURATIONS, never from the request.
    config = literal_column(f"'{configuration(language)}'::regconfig")
    return func.plainto_tsquery(config, func.unaccent(bindparam("query")))


def candidates(languages: Sequence[str]) -> Select:
    """Return the matching posts' ids and scores (lower is better), best first.

    Each language's query is read once (a materialized CTE: in a condition, `unaccent` and
    `plainto_tsquery` would be called again for every row) and matched through the GIN
    index against the posts of that language; ts_rank scores the matches without looking
    at the store: the caller keeps the best few (a LIMIT) and joins the posts after.
    """
    queries = (
        select(*(_query(lang).label(f"query_{n}") for n, lang in enumerate(languages)))
        .cte("search_query")
        .prefix_with("MATERIALIZED")
    )
    document = index.c.document
    found = union_all(
        *(
            select(
                index.c.post_id,
                # ts_rank grows with relevance; the caller orders by score ascending (as BM25).
                (-func.ts_rank(document, queries.c[f"query_{n}"])).label("score"),
            )
            .select_from(index.join(queries, true()))
            # The language written in the statement, so that the planner takes its index
            # (a partial one) with any plan, generic ones included.
            .where(
                index.c.language == literal(lang, literal_execute=True),
                document.op("@@")(queries.c[f"query_{n}"]),
            )
            for n, lang in enumerate(languages)
        )
    ).subquery("matched")
    return select(found.c.post_id, found.c.score).order_by(found.c.score)


def parameters(query: str, stems: Mapping[str, Sequence[str]]) -> dict:
    return {"query": query}
