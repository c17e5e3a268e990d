"""Autosaved text: what the editor keeps while the author types, apart from the post.

An autosave is a revision marked `autosave`; it never changes the post (readers keep seeing
the saved version). There is at most one per post and author since the post's last save: each
autosave rewrites it. The editor offers to restore the newest one when it is newer than the
post; saving the post (or discarding) leaves it behind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import fields
from .models import SLUG_MAX, SLUG_RE, Post, Revision, User

# What an autosave keeps of the form, as typed (the other fields wait for a real save).
TEXT_FIELDS = ("title", "slug", "summary", "source")


class AutosaveRefused(ValueError):
    """A value cannot be kept as typed (too long, a control character): the browser keeps it."""


def clean(values: dict[str, str], language: str, languages: list[str]) -> dict[str, str]:
    """Return the values an autosave keeps, each within its column, or refuse them."""
    try:
        kept = {
            "title": fields.text(fields.TITLE, values.get("title", "")),
            "summary": fields.text(fields.SUMMARY, values.get("summary", "")),
            "source": fields.text(fields.SOURCE, values.get("source", "")),
        }
    except fields.FieldError as error:
        raise AutosaveRefused(str(error)) from error
    slug = values.get("slug", "").strip()
    kept["slug"] = slug if SLUG_RE.fullmatch(slug) and len(slug) <= SLUG_MAX else ""
    wanted = values.get("language", "")
    kept["language"] = wanted if wanted in languages else language
    return kept


def latest(session: Session, post: Post, author: User | None = None) -> Revision | None:
    """Return the newest autosave of a post (by `author` if given) newer than its last save."""
    query = select(Revision).where(
        Revision.post_id == post.id, Revision.autosave, Revision.saved_at > post.updated_at
    )
    if author is not None:
        query = query.where(Revision.author_id == author.id)
    return session.scalar(query.order_by(Revision.saved_at.desc(), Revision.id.desc()).limit(1))


def keep(session: Session, post: Post, author: User, values: dict, now: datetime) -> Revision:
    """Keep the typed values as the author's autosave of the post (one, rewritten each time)."""
    revision = latest(session, post, author)
    if revision is None:
        # By ids, not relationships: the post must not look changed to the session (a change to
        # it would count as a change to the store and renew every cached page).
        snapshot = {name: getattr(post, name) for name in Revision.FIELDS}
        revision = Revision(post_id=post.id, author_id=author.id, autosave=True, **snapshot)
        session.add(revision)
    for name, value in values.items():
        setattr(revision, name, value)
    revision.saved_at = now
    return revision


def discard(session: Session, post: Post, author: User) -> None:
    """Drop the author's autosaves of the post."""
    session.execute(
        delete(Revision).where(
            Revision.post_id == post.id, Revision.autosave, Revision.author_id == author.id
        )
    )
