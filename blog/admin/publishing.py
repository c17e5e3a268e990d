"""Publishing with confidence: where a post will appear, and the pages a preview offers.

The editor's Publish, Schedule, Update and Unpublish actions first show what they will do:
which sites, at which address, and which announcements lead there (see posts._confirm). The
editor's full-page previews show the post as each of those sites will (see preview.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..models import Post, Status
from ..sites import registry
from ..urls import canonical_url, post_url


class Action(enum.StrEnum):
    """What the editor's buttons ask for; the last four are confirmed first."""

    DRAFT = "draft"  # save as a draft (keeps an unpublished post out of sight)
    SAVE = "save"  # save with the status the form names (the form's older shape)
    PREVIEW = "preview"  # show the text rendered, beside the form
    PUBLISH = "publish"
    SCHEDULE = "schedule"
    UPDATE = "update"
    UNPUBLISH = "unpublish"


CONFIRMED = frozenset({Action.PUBLISH, Action.SCHEDULE, Action.UPDATE, Action.UNPUBLISH})
# The status each action gives the post (None: the one the form names).
STATUS = {
    Action.DRAFT: Status.DRAFT,
    Action.PUBLISH: Status.PUBLISHED,
    Action.SCHEDULE: Status.PUBLISHED,
    Action.UPDATE: Status.PUBLISHED,
    Action.UNPUBLISH: Status.DRAFT,
}
# A full-page preview is asked for as "page:<site>:<language>".
PAGE_PREVIEW = "page"


@dataclass(frozen=True)
class Place:
    """Where readers find a post: its home, a full cross-post, or an announcement."""

    site: str
    kind: str  # "home", "crosspost" or "announcement"
    language: str
    url: str
    live: bool  # for an announcement: whether it is published (it shows while the post does)


@dataclass(frozen=True)
class Confirmation:
    """What a confirmed action will do, shown before it is done."""

    action: Action
    title: str
    places: list[Place]
    published_at: object  # the time it appears (a future one schedules it)
    scheduled: bool


def places(post: Post) -> list[Place]:
    """Return where readers will find the post, home first, then copies and announcements."""
    sites, found = registry(), []
    for key in post.sites:
        kind = "home" if key == post.home_site else "crosspost"
        url = canonical_url(post) if kind == "home" else post_url(post, sites[key])
        found.append(Place(key, kind, post.language, url, True))
    for announcement in post.announcements:
        if announcement.deleted_at is None and sites.get(announcement.home_site) is not None:
            live = announcement.status == Status.PUBLISHED
            url = canonical_url(announcement) if announcement.published_at else ""
            found.append(
                Place(announcement.home_site, "announcement", announcement.language, url, live)
            )
    return found


def readings(post_sites: list[str], language: str, translated: set[str]) -> list[tuple[str, str]]:
    """Return the (site, language) pages a full-page preview offers for a post.

    The post's own language on each of its sites, then, on a site whose fallback policy shows
    untranslated posts, each of its languages the translation group has no version in.
    """
    sites, found = registry(), []
    for key in post_sites:
        site = sites.get(key)
        if site is None or not site.accepts(language):
            continue
        found.append((key, language))
        if site.fallback == "show":
            found += [
                (key, other) for other in site.languages if other not in translated | {language}
            ]
    return found
