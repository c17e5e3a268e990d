"""Search: what readers find of a site, by words, in their language.

One interface, two implementations chosen by the database: SQLite's FTS5 (sqlite.py, stems
made by analysis.py) and PostgreSQL's text search (postgres.py, its `french`/`english`
dictionaries with `unaccent`). Both index every post (documents.py) and are kept current by
the store's session factory (`install`): every flush that writes a post, its terms or a
term's names reindexes those posts, and a deleted post leaves the index. `rebuild` (the
`reindex` command) makes the whole index again.

Who sees a result is decided when searching, as for every public page: visibility.on_site
(published, due, not trashed, on this site) and the site's fallback policy
(translations.in_language), or the reader's language alone when they narrow to it.

What a search costs is bounded by MAX_MATCHES (the app's SEARCH_MATCHES), not by the number
of matches: the index ranks its matches alone, the best of them are joined to the store and
asked those questions, and a page is read and counted by one statement (see statement).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType

from sqlalchemy import Connection, bindparam, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from .. import entries
from ..entries import COLUMNS, Entry
from ..models import Post, Term, TermName, post_term
from ..sites import Site
from ..translations import in_language
from ..visibility import LIMIT, NOW, OFFSET, Bound, built, on_site
from . import postgres, sqlite
from .analysis import WORD, plain_text, query_terms, word_stem
from .documents import documents

TABLE = sqlite.TABLE
# A query shorter than this (in letters and digits) asks for too much; longer is cut.
MIN_QUERY = 2
MAX_QUERY = 200
SNIPPET_WORDS = 32
# How many of a query's best matches are ranked and counted (see search).
MAX_MATCHES = 1000


def backend(connection: Connection) -> ModuleType:
    """Return the implementation for the connection's database."""
    return postgres if connection.dialect.name == "postgresql" else sqlite


def is_index_table(name: str | None) -> bool:
    """Say whether a table is the search index's (kept out of the models and of backups)."""
    return bool(name) and (name == TABLE or name.startswith(TABLE + "_"))


# Writing the index


def create(connection: Connection) -> None:
    backend(connection).create(connection)


def drop(connection: Connection) -> None:
    backend(connection).drop(connection)


def reindex(connection: Connection, ids: Iterable[int]) -> int:
    """Index these posts again as they are now (a missing one is forgotten); return how many."""
    ids = set(ids)
    implementation = backend(connection)
    found = list(documents(connection, ids))
    implementation.forget(connection, ids - {d.id for d in found})
    implementation.store(connection, found)
    return len(found)


def rebuild(connection: Connection) -> int:
    """Make the whole index again from the store; return the number of posts indexed."""
    implementation = backend(connection)
    implementation.clear(connection)
    ids = list(connection.execute(select(Post.id).order_by(Post.id)).scalars())
    done = 0
    for start in range(0, len(ids), 2000):
        done += reindex(connection, ids[start : start + 2000])
    return done


def clear(connection: Connection) -> None:
    backend(connection).clear(connection)


def install(factory: sessionmaker) -> None:
    """Keep the index current with every write of the sessions `factory` makes."""
    event.listen(factory, "before_flush", _note_deleted_terms)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "after_bulk_delete", _after_bulk_delete)


def _note_deleted_terms(session: Session, _context, _instances) -> None:
    # Their links to posts go with them (ON DELETE CASCADE): find those posts while they exist.
    ids = [o.id for o in session.deleted if isinstance(o, Term) and o.id is not None]
    if ids:
        with session.no_autoflush:
            carriers = session.execute(
                select(post_term.c.post_id).where(post_term.c.term_id.in_(ids))
            ).scalars()
            session.info.setdefault("search_posts", set()).update(carriers)


def _after_flush(session: Session, _context) -> None:
    changed: set[int] = session.info.pop("search_posts", set())
    term_ids: set[int] = set()
    for obj in session.new | session.dirty:
        if isinstance(obj, Post):
            changed.add(obj.id)
        elif isinstance(obj, Term):
            term_ids.add(obj.id)
        elif isinstance(obj, TermName):
            term_ids.add(obj.term_id)
    for obj in session.deleted:
        if isinstance(obj, TermName):
            term_ids.add(obj.term_id)
    gone = {obj.id for obj in session.deleted if isinstance(obj, Post)}
    if not (changed or term_ids or gone):
        return
    connection = session.connection()
    if term_ids:
        changed.update(
            connection.execute(
                select(post_term.c.post_id).where(post_term.c.term_id.in_(term_ids))
            ).scalars()
        )
    backend(connection).forget(connection, gone)
    if changed - gone:
        reindex(connection, changed - gone)


def _after_bulk_delete(delete_context) -> None:
    if delete_context.mapper.class_ is Post:
        connection = delete_context.session.connection()
        backend(connection).prune(connection)


# Reading a query


@dataclass(frozen=True)
class Query:
    """What a reader typed, cut to size, and the stems it asks for in each language."""

    text: str
    stems: dict[str, list[str]]
    # Why nothing was searched: "empty", "short" (too few letters), "common" (only stop words).
    problem: str | None = None


def read_query(raw: str, languages: Sequence[str]) -> Query:
    """Read a reader's query for the posts of these languages (the reader's first)."""
    text = " ".join("".join(c if c.isprintable() else " " for c in raw).split())[:MAX_QUERY]
    if not text:
        return Query(text, {}, "empty")
    if sum(len(w) for w in WORD.findall(text)) < MIN_QUERY:
        return Query(text, {}, "short")
    stems = {lang: query_terms(text, lang) for lang in languages}
    if not stems[languages[0]]:
        return Query(text, {}, "common")
    return Query(text, {lang: found for lang, found in stems.items() if found})


# Searching


@dataclass(frozen=True)
class Piece:
    """A run of text, matched by the query or not (a template marks the matched ones)."""

    text: str
    matched: bool = False


@dataclass
class Hit:
    post: Entry
    title: list[Piece]
    snippet: list[Piece]


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    total: int = 0
    # The index held more matches than were ranked (MAX_MATCHES): `total` is a lower bound.
    more: bool = False


def languages_searched(site: Site, language: str, only: bool) -> list[str]:
    """Return the languages whose posts a reader may find: theirs, or by the fallback policy."""
    if only or site.fallback == "hide":
        return [language]
    return [language, *(lang for lang in site.languages if lang != language)]


# The bind parameter of the number of matches ranked (the app's SEARCH_MATCHES).
MATCHES = bindparam("matches")


def statement(
    connection: Connection, site: Site, language: str, only: bool, languages: Sequence[str]
) -> Bound:
    """Return one page of the visible posts among the best matches of a query, best first.

    The index ranks its matches alone and keeps the best MATCHES (a materialized CTE: its
    LIMIT bounds the work whatever the number of matches); only those are joined to the
    store and checked for visibility, by their ids and dates (narrow rows to sort), and the
    columns of the page's posts are read last. Each row carries the number of visible posts
    among the ranked matches and the number of matches ranked (MATCHES when the index held
    more), so that a page needs no count of its own. Executed with its parameters (Bound):
    those of the query, NOW, MATCHES, LIMIT and OFFSET.
    """

    def build():
        found = (
            backend(connection)
            .candidates(languages)
            .limit(MATCHES)
            .cte("found")
            .prefix_with("MATERIALIZED")
        )
        listed = Post.language == language if only else in_language(site, language, NOW)
        order = (found.c.score, Post.published_at.desc(), Post.id.desc())
        page = (
            select(
                Post.id,
                Post.published_at,
                found.c.score,
                func.count().over().label("visible"),
            )
            .select_from(found.join(Post.__table__, Post.id == found.c.post_id))
            .where(on_site(site, NOW), listed)
            .order_by(*order)
            .limit(LIMIT)
            .offset(OFFSET)
            .subquery("page")
        )
        ranked = select(func.count()).select_from(found).scalar_subquery()
        return (
            select(*COLUMNS, page.c.visible, ranked.label("ranked"))
            .select_from(page.join(Post.__table__, Post.id == page.c.id))
            .order_by(page.c.score, page.c.published_at.desc(), page.c.id.desc())
        )

    key = ("search", connection.dialect.name, language, only, tuple(languages))
    return Bound(built(site, key, build), {})


def search(
    connection: Connection,
    site: Site,
    language: str,
    raw: str,
    now: datetime,
    *,
    only: bool = False,
    page: int = 1,
    per_page: int = 10,
    matches: int = MAX_MATCHES,
) -> Results:
    """Return one page of what a reader of `language` on `site` finds with the query `raw`.

    Only the best `matches` matches of the index (every language searched, private posts
    included) are ranked; the visible ones among them are the results, and `more` says
    that the index held more matches than that.
    """
    query = read_query(raw, languages_searched(site, language, only))
    if query.problem:
        return Results(query)
    found = statement(connection, site, language, only, list(query.stems))
    matches = max(1, matches)  # a setting of 0 or less (a LIMIT PostgreSQL refuses) ranks one
    params = {
        **backend(connection).parameters(query.text, query.stems),
        "now": now,
        # One match more than asked, to know whether the index holds more.
        "matches": matches + 1,
        "limit": per_page,
        "offset": (page - 1) * per_page,
    }
    rows = connection.execute(found.statement, params).all()
    posts = [Entry(*row[:-2]) for row in rows]
    entries.complete(connection, posts, terms=posts)
    # A page past the last has no row to carry the counts: it shows that nothing is there.
    total, ranked = (rows[0][-2], rows[0][-1]) if rows else (0, 0)
    pages = max(1, math.ceil(total / per_page))
    hits = [_hit(post, query) for post in posts]
    return Results(query, hits, page, pages, total, more=ranked > matches)


def _hit(post: Entry, query: Query) -> Hit:
    stems = set(query_terms(query.text, post.language))
    text = " — ".join(part for part in (post.summary, plain_text(post.html)) if part)
    title = highlight(post.title, stems, post.language)
    return Hit(post, title, snippet(text, stems, post.language))


def highlight(text: str, stems: set[str], language: str) -> list[Piece]:
    """Split `text` into pieces, the words whose stem the query asks for matched."""
    pieces, at = [], 0
    for match in WORD.finditer(text):
        if word_stem(match.group(), language) in stems:
            if match.start() > at:
                pieces.append(Piece(text[at : match.start()]))
            pieces.append(Piece(match.group(), True))
            at = match.end()
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


def snippet(text: str, stems: set[str], language: str, size: int = SNIPPET_WORDS) -> list[Piece]:
    """Return the passage of `text` richest in matched words, about `size` words, highlighted."""
    words = list(WORD.finditer(text))
    if not words:
        return []
    hits = [i for i, w in enumerate(words) if word_stem(w.group(), language) in stems]
    best = 0
    if hits:
        # The window that holds the most matched words, starting a few words before one
        # (the first such window); `hits` is sorted, so each window's count is two bisections.
        best = max(
            (max(0, i - 4) for i in hits),
            key=lambda start: bisect_left(hits, start + size) - bisect_left(hits, start),
        )
    # Not from the middle of an elision or a possessive (« l'eau », "water's edge").
    while best > 0 and text[words[best].start() - 1] in "'’":
        best -= 1
    end = min(len(words), best + size)
    passage = text[words[best].start() : words[end - 1].end()]
    pieces = highlight(passage, stems, language)
    if best > 0:
        pieces.insert(0, Piece("… "))
    if end < len(words):
        pieces.append(Piece(" …"))
    return pieces
