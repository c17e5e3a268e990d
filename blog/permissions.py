"""What each role may do in the desk: the one place that says so.

- administrator: everything, and people and the sites' settings;
- editor: every post, page, announcement, term, menu and the trash;
- author: writes, publishes and trashes posts and announcements;
- translator: writes translations only (a post made from another, or not the first of its
  translation group): never an original, never a new post of its own.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Post, Role, User

ALL = frozenset(Role)
# Desk areas (blueprint names) by the roles that may enter; absent: every role.
AREAS = {
    "admin.people": frozenset({Role.ADMINISTRATOR}),
    "admin.settings": frozenset({Role.ADMINISTRATOR}),
    "admin.terms": frozenset({Role.ADMINISTRATOR, Role.EDITOR}),
    "admin.menus": frozenset({Role.ADMINISTRATOR, Role.EDITOR}),
    "admin.bulk": frozenset({Role.ADMINISTRATOR, Role.EDITOR, Role.AUTHOR}),
    "admin.trash": frozenset({Role.ADMINISTRATOR, Role.EDITOR, Role.AUTHOR}),
    "admin.announcements": frozenset({Role.ADMINISTRATOR, Role.EDITOR, Role.AUTHOR}),
}


def may_enter(user: User, blueprint: str | None) -> bool:
    """Return whether `user` may use the desk area of this blueprint."""
    return user.role in AREAS.get(blueprint or "", ALL)


def is_translation(session: Session, post: Post) -> bool:
    """Return whether a post is a translation: made from another, or not its group's first."""
    if post.translated_from_id is not None:
        return True
    older = select(Post.id).where(
        Post.translation_key == post.translation_key,
        Post.id < post.id,
        Post.language != post.language,
    )
    return session.scalar(older.limit(1)) is not None


def may_edit(session: Session, user: User, post: Post | None, translating: bool = False) -> bool:
    """Return whether `user` may save `post` (None: a new post; `translating`: a translation)."""
    if user.role != Role.TRANSLATOR:
        return True
    if post is None:
        return translating
    return is_translation(session, post)
