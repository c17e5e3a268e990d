"""The read model: posts as readers' pages see them, loaded by Core statements.

A public page reads a few posts and writes none: it needs no identity map, no change
tracking and no lazy loading, which cost the ORM several times the database's own work. An
`Entry` carries a post's columns but its Markdown source, the sites it appears on, its
terms and, for an announcement, the post it announces; it answers the same questions as the
ORM's `Post` (models.PostFacts), so templates, addresses and the fallback policy take
either.

Loading is explicit, one statement per kind of data for a whole batch: `fetch` runs a
statement of `COLUMNS` (queries.py and translations.py build them so), `complete` adds the
sites of a batch, its announced posts and, when asked, its terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, Select, bindparam, literal, select

from .mediahtml import Featured, featured_of
from .models import (
    Media,
    MediaKind,
    MediaText,
    Post,
    PostFacts,
    Publication,
    Term,
    TermFacts,
    TermName,
    post_term,
)
from .visibility import Bound

# What a public page reads of a post: every column but the Markdown source and the desk's
# bookkeeping of translations (what a translation was made from).
DESK_ONLY = frozenset(
    {"source", "text_version", "translated_from_id", "translated_from_version",
     "translated_from_revision_id"}
)  # fmt: skip
COLUMNS = tuple(column for column in Post.__table__.c if column.key not in DESK_ONLY)
# The same without the texts (empty), for what lists thousands of posts by address only (a
# sitemap chunk): what a post is and where it lives, not what it says.
ADDRESS_COLUMNS = tuple(
    literal("").label(column.key) if column.key in ("summary", "html") else column
    for column in COLUMNS
)


class Placement(NamedTuple):
    """A post appearing on a site (a Publication's site and kind)."""

    site: str
    kind: str


class Name(NamedTuple):
    language: str
    name: str


@dataclass(slots=True, eq=False)
class TermEntry(TermFacts):
    id: int
    kind: str
    slug: str
    parent_id: int | None
    names: list[Name] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Entry(PostFacts):
    """A post as a public page shows it; fields in the order of COLUMNS, then what complete adds."""

    id: int
    kind: str
    language: str
    translation_key: str
    title: str
    slug: str
    summary: str
    html: str
    status: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    menu_order: int | None
    announces_id: int | None
    deleted_at: datetime | None
    parent_id: int | None
    pinned: bool
    version: int
    comments_open: bool
    featured_media_id: int | None
    publications: list[Placement] = field(default_factory=list)
    terms: list[TermEntry] = field(default_factory=list)
    announces: Entry | None = None
    # For an announced post: its translation group (what an announcement may lead to).
    group: list[Entry] = field(default_factory=list)
    featured: Featured | None = None

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.language}/{self.slug}>"


_FIELDS = [name for name in Entry.__dataclass_fields__][: len(COLUMNS)]
assert [column.key for column in COLUMNS] == _FIELDS, "Entry's fields must follow COLUMNS"

_IDS = bindparam("ids", expanding=True)
_PLACEMENTS = select(Publication.post_id, Publication.site, Publication.kind).where(
    Publication.post_id.in_(_IDS)
)
_BY_ID = select(*COLUMNS).where(Post.id.in_(_IDS))
# The versions of announced posts in their announcements' languages (Post.announced_version).
_VERSIONS = select(*COLUMNS).where(
    Post.translation_key.in_(bindparam("keys", expanding=True)),
    Post.language.in_(bindparam("languages", expanding=True)),
)
# A post's terms in the order the desk attached them is not kept; by term id is stable.
_TERMS = (
    select(
        post_term.c.post_id,
        Term.id,
        Term.kind,
        Term.slug,
        Term.parent_id,
        TermName.language,
        TermName.name,
    )
    .join(Term, Term.id == post_term.c.term_id)
    .outerjoin(TermName, TermName.term_id == Term.id)
    .where(post_term.c.post_id.in_(_IDS))
    .order_by(post_term.c.post_id, Term.id, TermName.language)
)
# The featured images of a batch: their cards and alt texts (mediahtml.Featured).
_FEATURED = (
    select(
        Media.id,
        Media.name,
        Media.fingerprint,
        Media.width,
        Media.height,
        Media.variants,
        MediaText.language,
        MediaText.alt,
    )
    .outerjoin(MediaText, MediaText.media_id == Media.id)
    .where(Media.id.in_(_IDS), Media.kind == MediaKind.IMAGE)
)
_TERM = (
    select(Term.id, Term.kind, Term.slug, Term.parent_id, TermName.language, TermName.name)
    .outerjoin(TermName, TermName.term_id == Term.id)
    .where(Term.kind == bindparam("kind"), Term.slug == bindparam("slug"))
    .order_by(TermName.language)
)


_TERMS_BY_ID = (
    select(Term.id, Term.kind, Term.slug, Term.parent_id, TermName.language, TermName.name)
    .outerjoin(TermName, TermName.term_id == Term.id)
    .where(Term.id.in_(bindparam("ids", expanding=True)))
    .order_by(Term.id, TermName.language)
)


def fetch(connection: Connection, statement: Select | Bound) -> list[Entry]:
    """Run a statement of COLUMNS; return its rows as entries, without sites or terms."""
    if isinstance(statement, Bound):
        return [Entry(*row) for row in statement.run(connection)]
    return [Entry(*row) for row in connection.execute(statement)]


def complete(
    connection: Connection, entries: Sequence[Entry], *, terms: Iterable[Entry] = ()
) -> None:
    """Give a batch its sites and announced posts (with theirs), and `terms` their terms.

    A post may be in the batch twice (as two entries): each gets its sites.
    """
    by_id: dict[int, list[Entry]] = {}
    for entry in entries:
        by_id.setdefault(entry.id, []).append(entry)
    wanted = {e.announces_id for e in entries if e.announces_id is not None} - by_id.keys()
    if wanted:
        for original in fetch(connection, Bound(_BY_ID, {"ids": sorted(wanted)})):
            by_id[original.id] = [original]
    for entry in entries:
        if entry.announces_id is not None:
            entry.announces = by_id.get(entry.announces_id, [None])[0]
    _add_versions(connection, entries, by_id)
    if by_id:
        for post_id, site, kind in connection.execute(_PLACEMENTS, {"ids": list(by_id)}):
            for entry in by_id[post_id]:
                entry.publications.append(Placement(site, kind))
    _complete_featured(connection, [e for group in by_id.values() for e in group])
    carriers: dict[int, list[Entry]] = {}
    for entry in terms:
        carriers.setdefault(entry.id, []).append(entry)
    if carriers:
        found: dict[int, TermEntry] = {}
        rows = connection.execute(_TERMS, {"ids": list(carriers)})
        for post_id, term_id, kind, slug, parent_id, language, name in rows:
            term = found.get(term_id)
            if term is None:
                term = found[term_id] = TermEntry(term_id, kind, slug, parent_id)
            for carrier in carriers[post_id]:
                if not carrier.terms or carrier.terms[-1] is not term:
                    carrier.terms.append(term)
            if language is not None and (not term.names or term.names[-1].language < language):
                term.names.append(Name(language, name))


def _complete_featured(connection: Connection, entries: Sequence[Entry]) -> None:
    """Give the entries that have a featured image its card and alt texts (one statement)."""
    wanted = {e.featured_media_id for e in entries if e.featured_media_id is not None}
    if not wanted:
        return
    found: dict[int, Featured] = {}
    for media_id, name, fingerprint, width, height, variants, language, alt in connection.execute(
        _FEATURED, {"ids": sorted(wanted)}
    ):
        featured = found.get(media_id)
        if featured is None:
            featured = found[media_id] = featured_of(name, fingerprint, width, height, variants)
        if language is not None:
            featured.alts[language] = alt
    for entry in entries:
        if entry.featured_media_id is not None:
            entry.featured = found.get(entry.featured_media_id)


def _add_versions(connection: Connection, entries, by_id: dict[int, list[Entry]]) -> None:
    """Give the announced posts of a batch their versions in their announcements' languages
    (one statement, only when an announcement is in another language than its post)."""
    foreign = [e for e in entries if e.announces is not None and e.announces.language != e.language]
    if not foreign:
        return
    keys = sorted({e.announces.translation_key for e in foreign})
    languages = sorted({e.language for e in foreign})
    versions = fetch(connection, Bound(_VERSIONS, {"keys": keys, "languages": languages}))
    # A version already in the batch is that entry: it gets its sites with the others.
    versions = [by_id.setdefault(version.id, [version])[0] for version in versions]
    for entry in foreign:
        original = entry.announces
        original.group = [v for v in versions if v.translation_key == original.translation_key]


def by_ids(ids: Sequence[int]) -> Bound:
    """Return the statement of the posts with these ids (entries in no particular order)."""
    return Bound(_BY_ID, {"ids": list(ids)})


def loaded(
    connection: Connection, statement: Select | Bound, *, with_terms: bool = True
) -> list[Entry]:
    """Run a statement of COLUMNS and complete its entries: what a listing shows."""
    entries = fetch(connection, statement)
    complete(connection, entries, terms=entries if with_terms else ())
    return entries


def term(connection: Connection, kind: str, slug: str) -> TermEntry | None:
    """Return the term of this kind and slug with its names, or None."""
    found = None
    for term_id, term_kind, term_slug, parent_id, language, name in connection.execute(
        _TERM, {"kind": kind, "slug": slug}
    ):
        if found is None:
            found = TermEntry(term_id, term_kind, term_slug, parent_id)
        if language is not None:
            found.names.append(Name(language, name))
    return found


def terms(connection: Connection, ids: Sequence[int]) -> list[TermEntry]:
    """Return the terms of these ids with their names, by id (one statement)."""
    found: dict[int, TermEntry] = {}
    if not ids:
        return []
    for term_id, term_kind, term_slug, parent_id, language, name in connection.execute(
        _TERMS_BY_ID, {"ids": list(ids)}
    ):
        entry = found.get(term_id)
        if entry is None:
            entry = found[term_id] = TermEntry(term_id, term_kind, term_slug, parent_id)
        if language is not None:
            entry.names.append(Name(language, name))
    return list(found.values())
