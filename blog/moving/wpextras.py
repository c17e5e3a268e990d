"""What a WordPress item brings besides its post: its comments, featured image, old addresses.

A part of the import (wordpress._Import inherits it) that the items part (wpitems.Items)
calls while it makes a post: the driver gives it `session`, `site`, `report`, `export`,
`attachments`, `uploads` and `index`, and the items part its `_utc`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from .. import fields
from ..comments.models import CommentStatus
from ..comments.service import Imported
from ..models import OLD_PATH_MAX, Kind, Media, MediaKind, Post, User
from ..redirects import QUERY_MAX, old_path, old_query
from .wpitems import Plan
from .wpuploads import upload_path
from .wxr import Item

# WordPress's comment_approved → a comment's status here (anything else waits).
_COMMENT_STATES = {
    "1": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.TRASH,
}


class Extras:
    """Read an item's comments, featured image and old addresses for the post made of it."""

    def _comments(self, item: Item, kind: str, users: dict[str, User]) -> list[Imported]:
        """Return the comments of an item to store with its post, counting them in the report.

        Pingbacks and trackbacks stay behind, as do the comments of pages (pages take no
        comments here); spam is kept as spam and trash as trash, for the author to review.
        """
        found = []
        for comment in item.comments:
            if comment.type not in ("", "comment"):
                self.report.comments_left[f"{comment.type}s"] += 1
                continue
            if kind != Kind.POST:
                self.report.comments_left["comments on pages"] += 1
                continue
            status = _COMMENT_STATES.get(comment.approved, CommentStatus.PENDING)
            moment = self._utc(comment.date_gmt, comment.date, count=False)
            email = comment.email.lower()
            found.append(
                Imported(
                    key=comment.wp_id or f"#{len(found)}",
                    parent=comment.parent if comment.parent not in ("", "0") else None,
                    name=comment.author,
                    email=comment.email,
                    website=comment.url,
                    text=comment.content,
                    created_at=moment or datetime.now(UTC),
                    status=status,
                    by_author=bool(email) and email in users,
                )
            )
            self.report.comments[status] += 1
        return found

    def _featured_image(self, item: Item, language: str) -> Media | None:
        """Return the library image of an item's featured image (_thumbnail_id), when the
        uploads brought its file; its WordPress alt text becomes the library's, if it has none."""
        thumbnail = fields.parse_int(item.meta.get("_thumbnail_id", "").strip())
        attachment = self.attachments.get(thumbnail) if thumbnail is not None else None
        if attachment is None or self.uploads is None or not attachment.url:
            return None
        path = upload_path(attachment.url, self.export.base_url)
        address = self.uploads.place(path) if path else None
        media = self.uploads.library_file(address) if address else None
        if media is None or media.kind != MediaKind.IMAGE:
            return None
        existing = media.text(language)
        if attachment.alt and (existing is None or not existing.alt):
            media.set_text(
                language,
                attachment.alt[:1000],
                existing.caption if existing else "",
                existing.transcript if existing else "",
            )
        return media

    def _old_addresses(self, post: Post, plan: Plan) -> list[tuple[str, str]]:
        """Claim the item's permalink and `?p=ID` (and a page's `?page_id=ID`); return those won."""
        item = plan.item
        addresses = []
        if item.link:
            parts = urlsplit(item.link)
            addresses.append((old_path(parts.path), old_query(parse_qsl(parts.query))))
        addresses.append(("/", f"p={item.wp_id}"))
        if plan.kind == Kind.PAGE:
            addresses.append(("/", f"page_id={item.wp_id}"))
        won = []
        for path, query in dict.fromkeys(addresses):
            shown = path + (f"?{query}" if query else "")
            if path == "/" and not query:
                continue  # the old home page: the new one answers it
            if len(path) > OLD_PATH_MAX or len(query) > QUERY_MAX:
                self.report.skipped.append(f"{item.describe()}: old address too long: {shown}")
                continue
            holder = self.index.claim(self.site.key, path, query, post)
            if holder is not None and holder is not post:
                self.report.skipped.append(
                    f"{item.describe()}: the old address {shown} already leads to post "
                    f"{self.index.holder_id(holder)}"
                )
                continue
            if holder is None:
                won.append((path, query))
            self.report.redirects += 1
        return won
