"""Pages under pages: the menu as a tree, and the trail from a page up to its top page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from .models import Post
from .sites import Site

# Deeper than any menu a reader could use; it also stops a parent loop.
MAX_DEPTH = 8


@dataclass
class MenuEntry:
    page: Post
    children: list[MenuEntry] = field(default_factory=list)


def nest(pages: list[Post]) -> list[MenuEntry]:
    """Return the menu's pages as a tree, each under its parent when the parent is listed too.

    A page whose parent is not in the menu (unpublished, in another language) sits at the top
    level, so that nothing visible is lost; the order of `pages` is kept at every level.
    """
    entries = {page.id: MenuEntry(page) for page in pages}
    top = []
    for page in pages:
        parent = entries.get(page.parent_id)
        if parent is None or _loops(page, entries):
            top.append(entries[page.id])
        else:
            parent.children.append(entries[page.id])
    return top


def _loops(page: Post, entries: dict[int, MenuEntry]) -> bool:
    seen, current = set(), page
    while current is not None and current.parent_id in entries:
        if current.id in seen or len(seen) > MAX_DEPTH:
            return True
        seen.add(current.id)
        current = entries[current.parent_id].page
    return current is not None and current.id in seen


def ancestors(session: Session, page: Post, visible) -> list[Post]:
    """Return the page's parents that readers can see, the top one first.

    `visible(post)` says whether a reader of this page may see a post; the trail stops at the
    first parent that is not, so that no hidden page is named.
    """
    trail: list[Post] = []
    current = page
    while current.parent_id is not None and len(trail) < MAX_DEPTH:
        parent = session.get(Post, current.parent_id)
        if parent is None or not visible(parent) or parent in trail or parent is page:
            break
        trail.append(parent)
        current = parent
    return trail[::-1]


def visible_on(site: Site, now: datetime):
    """Return the test "a reader of `site` may see this page now"."""
    return lambda post: post.is_visible(now) and post.is_on(site.key)
