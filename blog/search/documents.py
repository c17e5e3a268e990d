"""What the search index holds of a post: its title, summary, text and term names.

Read from the store with two Core statements for a whole batch, whatever the backend; the
backends (sqlite.py, postgres.py) write them in their own form. Every post is indexed,
drafts and trash included: who may see a result is decided when searching, by the same
conditions as every public page (visibility.on_site), so publishing, scheduling and
trashing never need the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, select

from ..models import Post, Term, TermName, post_term
from .analysis import plain_text

# The text PostgreSQL indexes of a post's body is cut here (a tsvector holds at most 1 MB).
MAX_BODY = 200_000
BATCH = 500

_IDS = bindparam("ids", expanding=True)
_POSTS = select(Post.id, Post.language, Post.title, Post.summary, Post.html).where(
    Post.id.in_(_IDS)
)
_TERMS = (
    select(post_term.c.post_id, Term.id, Term.slug, TermName.language, TermName.name)
    .join(Term, Term.id == post_term.c.term_id)
    .outerjoin(TermName, TermName.term_id == Term.id)
    .where(post_term.c.post_id.in_(_IDS))
    .order_by(post_term.c.post_id, Term.id, TermName.language)
)


class Document(NamedTuple):
    """A post as the index reads it: plain texts, in the post's language."""

    id: int
    language: str
    title: str
    summary: str
    body: str
    terms: str


def documents(connection: Connection, ids: Iterable[int]) -> Iterator[Document]:
    """Yield the documents of the posts with these ids (those that exist), a batch at a time."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        names: dict[int, dict[int, dict[str, str]]] = {}
        slugs: dict[int, str] = {}
        for post_id, term_id, slug, language, name in connection.execute(_TERMS, {"ids": batch}):
            slugs[term_id] = slug
            by_language = names.setdefault(post_id, {}).setdefault(term_id, {})
            if language is not None:
                by_language[language] = name
        for post_id, language, title, summary, html in connection.execute(_POSTS, {"ids": batch}):
            terms = []
            for term_id, by_language in names.get(post_id, {}).items():
                # The term's name in the post's language, else any, else its slug (TermFacts).
                terms.append(
                    by_language.get(language)
                    or next(iter(by_language.values()), slugs[term_id].replace("-", " "))
                )
            body = plain_text(html)[:MAX_BODY]
            yield Document(post_id, language, title, summary or "", body, " · ".join(terms))
