"""What public pages derive from the store alone, kept per state of the store.

A listing's ids, the archive's and the categories' counts, the site's menu: each depends
on the site, its own key and the store's state as a request's stamp reads it
(caching.store_moment: the store's version, when it changed, the latest due publication
time). Any write or a post coming due makes a new state, hence new keys: nothing kept is
ever stale, and nothing needs to be forgotten on a write.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, g

# Entries kept per app; all forgotten at once beyond this (each write makes new keys anyway).
MAX_KEPT = 4096
T = TypeVar("T")


def per_store_state(key: Hashable, compute: Callable[[], T]) -> T:
    """Return compute(), asked once per state of the store, the site and `key`.

    The state is the one the request's stamp read (caching.store_moment); without one (the
    desk, a command), compute() is asked every time.
    """
    moment = g.get("store_moment")
    if moment is None:
        return compute()
    kept = current_app.extensions.setdefault("per_store_state", {})
    full_key = (*moment, g.reading.site.key, key)
    if full_key in kept:
        return kept[full_key]
    if len(kept) >= MAX_KEPT:
        kept.clear()
    found = kept[full_key] = compute()
    return found
