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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType

from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from .. import entries
from ..entries import COLUMNS, Entry
from ..models import Post, Term, TermName, post_term
from ..sites import Site
from ..translations import in_language
from ..visibility import NOW, Bound, built, on_site
from . import postgres, sqlite
from .analysis import WORD, fold, plain_text, query_terms, stemmer
from .documents import documents

TABLE = sqlite.TABLE
# A query shorter than this (in letters and digits) asks for too much; longer is cut.
MIN_QUERY = 2
MAX_QUERY = 200
SNIPPET_WORDS = 32


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


def languages_searched(site: Site, language: str, only: bool) -> list[str]:
    """Return the languages whose posts a reader may find: theirs, or by the fallback policy."""
    if only or site.fallback == "hide":
        return [language]
    return [language, *(lang for lang in site.languages if lang != language)]


def statement(
    connection: Connection, site: Site, language: str, only: bool, languages: Sequence[str]
) -> Bound:
    """Return the visible posts matching a query, best first (executed with its parameters)."""

    def build():
        index, joined, matches, score = backend(connection).matching(Post.id, languages)
        listed = Post.language == language if only else in_language(site, language, NOW)
        return (
            select(*COLUMNS)
            .select_from(Post.__table__.join(index, joined))
            .where(matches, on_site(site, NOW), listed)
            .order_by(score, Post.published_at.desc(), Post.id.desc())
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
) -> Results:
    """Return one page of what a reader of `language` on `site` finds with the query `raw`."""
    query = read_query(raw, languages_searched(site, language, only))
    if query.problem:
        return Results(query)
    languages = list(query.stems)
    found = statement(connection, site, language, only, languages)
    params = {**backend(connection).parameters(query.text, query.stems), "now": now}
    bound, offset = Bound(found.statement, params), (page - 1) * per_page
    posts = entries.loaded(connection, bound.page(per_page, offset))
    if posts and len(posts) < per_page:
        total = offset + len(posts)  # the last page: no need to count
    else:
        # (A window count with the page would save this pass, but FTS5 refuses bm25 there.)
        counting = select(func.count()).select_from(bound.statement.order_by(None).subquery())
        total = connection.execute(counting, params).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    hits = [_hit(post, query) for post in posts]
    return Results(query, hits, page, pages, total)


def _hit(post: Entry, query: Query) -> Hit:
    stems = set(query_terms(query.text, post.language))
    text = " — ".join(part for part in (post.summary, plain_text(post.html)) if part)
    title = highlight(post.title, stems, post.language)
    return Hit(post, title, snippet(text, stems, post.language))


def highlight(text: str, stems: set[str], language: str) -> list[Piece]:
    """Split `text` into pieces, the words whose stem the query asks for matched."""
    stem, pieces, at = stemmer(language), [], 0
    for match in WORD.finditer(text):
        if stem(fold(match.group())) in stems:
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
    stem = stemmer(language)
    hits = [i for i, w in enumerate(words) if stem(fold(w.group())) in stems]
    best = 0
    if hits:
        # The window that holds the most matched words, starting a few words before one.
        best = max(
            (max(0, i - 4) for i in hits),
            key=lambda start: sum(start <= j < start + size for j in hits),
        )
    end = min(len(words), best + size)
    passage = text[words[best].start() : words[end - 1].end()]
    pieces = highlight(passage, stems, language)
    if best > 0:
        pieces.insert(0, Piece("… "))
    if end < len(words):
        pieces.append(Piece(" …"))
    return pieces
