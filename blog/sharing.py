"""Shareable draft links: show a post before it is published to someone who is signed out.

A link's token is 32 random bytes (URL-safe base64), so it cannot be guessed; it works until it
expires or is revoked, and only while the post is out of the trash. What it shows is never
cached and asks search engines not to index it (see blog/admin/preview.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import DraftLink, Post, User

# The lifetimes the desk offers, in days.
LIFETIMES = (1, 7, 30)


def create(
    session: Session, post: Post, author: User | None, now: datetime, days: int
) -> DraftLink:
    """Make a new link to the post, working for `days` days from now."""
    link = DraftLink(
        post=post,
        author_id=author.id if author else None,
        token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(link)
    return link


def active(session: Session, post: Post, now: datetime) -> list[DraftLink]:
    """Return the post's links that still work, newest first."""
    return list(
        session.scalars(
            select(DraftLink)
            .where(
                DraftLink.post_id == post.id,
                DraftLink.revoked_at.is_(None),
                DraftLink.expires_at > now,
            )
            .order_by(DraftLink.created_at.desc(), DraftLink.id.desc())
        )
    )


def find(session: Session, token: str, now: datetime) -> Post | None:
    """Return the post a token shows, or None when the link is unknown, revoked or expired."""
    if not token or len(token) > 64:
        return None
    link = session.scalar(select(DraftLink).where(DraftLink.token == token))
    if link is None or not link.is_active(now) or link.post.deleted_at is not None:
        return None
    return link.post


def revoke(session: Session, post: Post, link_id: int, now: datetime) -> bool:
    """Revoke one of the post's links; say whether there was one to revoke."""
    link = session.get(DraftLink, link_id)
    if link is None or link.post_id != post.id or link.revoked_at is not None:
        return False
    link.revoked_at = now
    return True
