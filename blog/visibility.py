"""What readers may see: published, due, not in the trash, on the site they read.

The one definition of "public" as SQL conditions; `Post.is_visible` is the same rule for a
post already loaded. Every public surface (pages, listings, feeds, sitemaps, old addresses)
selects through these conditions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased

from .models import Post, Publication, Status
from .sites import Site


def visible(now: datetime, entity=Post):
    """Return the condition "published, due and not in the trash" for a Post entity."""
    return and_(
        entity.status == Status.PUBLISHED,
        entity.published_at <= now,
        entity.deleted_at.is_(None),
    )


def on_site(site: Site, now: datetime, entity=Post):
    """Return the condition "visible to readers of `site` at `now`" for a Post entity.

    An announcement is visible only while the post it announces is.
    """
    original = aliased(Post)
    return and_(
        visible(now, entity),
        exists().where(Publication.post_id == entity.id, Publication.site == site.key),
        or_(
            entity.announces_id.is_(None),
            exists().where(original.id == entity.announces_id, visible(now, original)),
        ),
    )
