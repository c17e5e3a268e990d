"""Announcements: a short entry on one site that leads to a post whose home is another.

The desk's form and the `announce` command both build announcements here; the store's rules
(rules about where an announcement may appear) are checked when the session flushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from . import db, fields, posters
from .models import Kind, Post, PublicationKind, Revision, Status, utcnow
from .sites import registry
from .slugs import slugify


@dataclass(frozen=True)
class Effect:
    """A live announcement that leads to a post, and what it will lead to once that post goes."""

    announcement: Post
    # None: nothing else is live for it to lead to, so its address will answer 410.
    then: Post | None


def withdrawal_effects(post: Post, now: datetime) -> list[Effect]:
    """Return the live announcements that lead to `post` now, and where each leads without it.

    Asked before `post` is trashed or unpublished, so the desk can say what will change.
    """
    group_ids = [p.id for p in post.group] or [post.id]
    found = db.session().scalars(
        select(Post).where(Post.announces_id.in_(group_ids), Post.deleted_at.is_(None))
    )
    effects = []
    for announcement in found:
        if announcement.announced_version(now) is not post:
            continue
        original = announcement.announces
        then = original if original is not post and original.is_visible(now) else None
        effects.append(Effect(announcement, then))
    return sorted(effects, key=lambda e: e.announcement.id)


def prefill(original: Post, site_key: str | None) -> dict[str, str]:
    """Return the form of a new announcement of `original`, ready to be edited."""
    sites = registry()
    targets = [s for s in sites if s.key != original.home_site]
    target = sites.get(site_key) if site_key else None
    if target is None or target.key == original.home_site:
        target = targets[0] if targets else None
    if target is None:
        raise LookupError("There is no other site to announce this post on.")
    language = original.language if target.accepts(original.language) else target.default_language
    same = language == original.language
    return {
        "site": target.key,
        "language": language,
        "title": original.title if same else "",
        "slug": "",
        # Pre-filled from the post's summary, for the author to rewrite for these readers.
        "source": original.summary,
        "status": Status.PUBLISHED,
    }


def create_announcement(original: Post, values: dict[str, str], author=None) -> Post:
    """Build an announcement of `original` from form values (the store checks its rules)."""
    announcement = Post(kind=Kind.ANNOUNCEMENT, announces=original)
    db.session().add(announcement)
    with db.session().no_autoflush:
        apply(announcement, values)
        announcement.publish_on(values["site"], PublicationKind.HOME)
    db.session().add(Revision.of(announcement, author, note=f"announcement of #{original.id}"))
    return announcement


def apply(announcement: Post, values: dict[str, str]) -> None:
    announcement.language = values["language"]
    announcement.title = values["title"].strip()
    announcement.slug = values["slug"].strip() or slugify(values["title"])
    source = values["source"].replace("\r\n", "\n")
    posters.fetch_missing(source)  # saved now: its embeds' posters, if they can be had
    announcement.set_source(source)
    announcement.summary = ""
    announcement.status = values["status"]
    announcement.updated_at = utcnow()


def check(values: dict[str, str]) -> dict[str, str]:
    """Return what is wrong with an announcement's values, by field (empty: nothing)."""
    sites, errors = registry(), {}
    for name, spec in (("title", fields.TITLE), ("source", fields.SOURCE)):
        try:
            fields.text(spec, values[name])
        except fields.FieldError as error:
            errors[name] = str(error)
    if not errors.get("title") and not values["title"].strip():
        errors["title"] = _("Give the announcement a title in its language.")
    slug = values["slug"].strip() or slugify(values["title"])
    if not slug:
        errors["slug"] = _("Give the post a slug: lowercase letters, digits and hyphens.")
    else:
        try:
            fields.slug(slug)
        except fields.FieldError as error:
            errors["slug"] = str(error)
    if sites.get(values["site"]) is None:
        errors["site"] = _("Choose among the sites offered.")
    if values["language"] not in sites.languages:
        errors["language"] = _("Choose one of the languages offered.")
    if values["status"] not in (Status.DRAFT, Status.PUBLISHED):
        errors["status"] = _("Choose draft or published.")
    return errors
