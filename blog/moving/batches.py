"""What an import asks of the store for each post, loaded once and kept up to date as it adds.

An import that asked the database, for each of thousands of posts, whether its slug, its
translation group's language or its old addresses were taken would spend most of its time in
those queries and in the flushes that must precede them. The answers are loaded here at the
start; the import adds to them each post it creates, and flushes once per BATCH posts, when
the store's rules (rules.check_rules) check that batch. It all stays one transaction: a
failed import still changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OldAddress, Post

# Posts written per flush: large enough for few statements, small enough to report a refusal
# near the item that caused it and to keep the session's pending objects few.
BATCH = 200


class StoreIndex:
    """The slugs, translation groups and old addresses of the store, and of what is added."""

    def __init__(self, session: Session):
        self.session = session
        # (language, slug) → the post's id, or the Post itself until it is flushed.
        self.posts: dict[tuple[str, str], int | Post] = {
            (language, slug): post_id
            for post_id, language, slug in session.execute(
                select(Post.id, Post.language, Post.slug)
            )
        }
        self.groups: set[tuple[str, str]] = {
            (key, language)
            for key, language in session.execute(select(Post.translation_key, Post.language))
        }
        # (site, path, query) → the id of the post it leads to, or the Post until flushed.
        self.addresses: dict[tuple[str, str, str], int | Post] = {
            (site, path, query): post_id
            for site, path, query, post_id in session.execute(
                select(OldAddress.site, OldAddress.path, OldAddress.query, OldAddress.post_id)
            )
        }

    def slug_taken(self, language: str, slug: str) -> bool:
        return (language, slug) in self.posts

    def group_taken(self, key: str, language: str) -> bool:
        return (key, language) in self.groups

    def post(self, language: str, slug: str) -> Post | None:
        """Return the post in `language` with `slug`, loaded if need be."""
        found = self.posts.get((language, slug))
        return self.session.get(Post, found) if isinstance(found, int) else found

    def add(self, post: Post) -> None:
        """Count a post the import adds (its slug and group language are taken from now on)."""
        self.posts[(post.language, post.slug)] = post
        self.groups.add((post.translation_key, post.language))

    def claim(self, site: str, path: str, query: str, post: Post) -> int | Post | None:
        """Let an old address lead to `post` unless it leads somewhere already.

        Return None when `post` claims it now, else what it leads to (maybe `post` itself).
        The caller writes the OldAddress once the post has its id (Batch.add's `then`).
        """
        key = (site, path, query)
        if key in self.addresses:
            return self.addresses[key]
        self.addresses[key] = post
        return None

    def holder_id(self, holder: int | Post) -> int:
        """Return the id of an address's holder, flushing the posts added so far if need be."""
        if isinstance(holder, int):
            return holder
        if holder.id is None:
            self.session.flush()
        return holder.id


class Batch:
    """Posts added since the last flush, and what to write once they have their ids."""

    def __init__(self, session: Session, size: int | None = None):
        self.session, self.size = session, size or BATCH
        self.count, self.then = 0, []

    def add(self, then: Callable[[], None] | None = None) -> None:
        """Count a post added to the session; `then` runs once it has its id.

        Every `size` posts, flush (a ContentRuleError names its post: rules.check_rules).
        """
        if then is not None:
            self.then.append(then)
        self.count += 1
        if self.count >= self.size:
            self.flush()

    def flush(self) -> None:
        self.session.flush()
        then, self.then, self.count = self.then, [], 0
        for step in then:
            step()
        if then:
            self.session.flush()
