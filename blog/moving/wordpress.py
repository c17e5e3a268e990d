"""Bring a WordPress export into the store for one site, in one transaction, with a report.

Posts and pages keep their HTML body as their source (Markdown lets HTML through,
and the store sanitizes it like any text), their status, dates, slug, excerpt,
categories and tags. Polylang's language and translation markers give each post
its language and rebuild the translation groups. Every post records its old
permalink and `?p=ID` as old addresses, which answer 301 (redirects.py) and which
tell a second run of the same import what is already there.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import tee
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..fields import parse_int
from ..models import (
    ORIGIN_MAX,
    ImportedItem,
    Kind,
    OldAddress,
    Post,
    Revision,
    Status,
    Term,
    User,
    utcnow,
)
from ..redirects import old_path, old_query
from ..rendering import render_many
from ..rules import ContentRuleError
from ..sites import SiteRegistry
from .batches import Batch, StoreIndex
from .wpcontent import Attachment, plain_title
from .wpextras import Extras
from .wpitems import Items, hidden_reason
from .wpreport import Report
from .wpterms import Terms
from .wpuploads import Uploads
from .wxr import Export, Item


class WordPressImportError(Exception):
    """The import cannot be completed; nothing was written."""


def import_export(
    session: Session,
    sites: SiteRegistry,
    export: Export,
    site_key: str,
    language: str | None = None,
    timezone: str = "UTC",
    on_item: Callable[[], None] = lambda: None,
    uploads: Uploads | None = None,
) -> Report:
    """Import a parsed export into the store for one site and commit; return the report.

    Nothing is written if anything goes wrong: the whole import is one transaction, and the
    files copied from `uploads` are removed again.
    """
    try:
        work = _Import(session, sites, site_key, language, timezone)
        work.report.uploads = work.uploads = uploads
        if uploads is not None:
            uploads.into_library(session, utcnow())
        report = work.run(export, on_item)
        session.commit()
    except BaseException:
        session.rollback()
        if uploads is not None:
            uploads.undo()
        raise
    return report


class _Import(Terms, Items, Extras):
    """One import: its state, the order of its steps, and what links the posts once made."""

    def __init__(
        self, session: Session, sites: SiteRegistry, site_key: str, language: str | None, tz: str
    ):
        self.session, self.sites = session, sites
        self.site = sites[site_key]
        self.language = language or self.site.default_language
        self.zone = ZoneInfo(tz)
        self.report = Report(site=site_key, timezone=tz)
        self.by_wordpress: dict[tuple[str, str], Term] = {}  # (taxonomy, nicename) → term
        self.group_keys: dict[str, str] = {}
        self.uploads: Uploads | None = None

    def run(self, export: Export, on_item: Callable[[], None]) -> Report:
        self.export = export
        for item in export.items:
            # WordPress titles may hold markup and entities; here a title is text.
            item.title = plain_title(item.title)
        self.attachments = {
            item.wp_id: Attachment(
                url=item.attachment_url,
                title=item.title,
                caption=item.excerpt,
                parent=item.parent,
                order=item.menu_order,
                alt=plain_title(item.meta.get("_wp_attachment_image_alt", "")),
            )
            for item in export.items
            if item.post_type == "attachment"
        }
        self.serialized_groups = self._serialized_groups(export)
        self.origin = origin_of(export)
        known, unclaimed = self._known_posts()
        plans = {}
        for item in export.items:
            found = known.get(item.wp_id) or self._claim(item, unclaimed.get(item.wp_id))
            plan = self._plan(item, found)
            if plan is not None:
                plans[id(item)] = plan
        for plan in plans.values():
            # A member imported by an earlier run decides its group's key (see _group_key).
            if plan.group and plan.known is not None:
                self.group_keys.setdefault(plan.group, plan.known.translation_key)
        self._make_terms(export, list(plans.values()))
        self._withdraw_hidden(plans.values())
        users = {u.email.lower(): u for u in self.session.scalars(select(User))}
        self.made: dict[int, Post] = {
            p.item.wp_id: p.known for p in plans.values() if p.known is not None
        }
        self.index, self.batch = StoreIndex(self.session), Batch(self.session)
        self.described: dict[int, str] = {}  # id(post) → its item, for a refusal's message
        new = [plans[id(i)] for i in export.items if id(i) in plans and plans[id(i)].known is None]
        for _done in range(len(export.items) - len(new)):
            on_item()
        with self.session.no_autoflush:
            # Texts are rendered by other processes a few items ahead of the one stored here.
            drafts, texts = tee(self._prepare_all(new))
            for draft, rendered in zip(drafts, render_many(d.text() for d in texts), strict=True):
                self._within_rules(self._create, draft, rendered, users)
                on_item()
            self._within_rules(self.batch.flush)
        self._place_pages(plans.values())
        self._count_groups(plans.values())
        return self.report

    def _known_posts(self) -> tuple[dict[int, Post], dict[int, ImportedItem]]:
        """Return the posts earlier imports of this site's export made, by WordPress id.

        Also return the records of imports made before origins were kept (origin ""), which
        an item of this export may claim (see _claim): those migration 0006 wrote, and those
        of posts that hold a `?p=ID` old address but no record (a Markdown folder's posts).
        """
        rows = self.session.execute(
            select(ImportedItem, Post)
            .join(Post, Post.id == ImportedItem.post_id)
            .where(
                ImportedItem.site == self.site.key,
                ImportedItem.origin.in_({self.origin, ""}),
            )
        )
        known, unclaimed = {}, {}
        for record, post in rows:
            if record.origin == self.origin:
                known[record.item_id] = post
            else:
                unclaimed[record.item_id] = record
        orphans = self.session.execute(
            select(OldAddress.query, OldAddress.post_id).where(
                OldAddress.site == self.site.key,
                OldAddress.path == "/",
                OldAddress.query.startswith("p="),
                ~exists().where(ImportedItem.post_id == OldAddress.post_id),
            )
        )
        for query, post_id in orphans:
            item_id = parse_int(query[2:])
            if item_id is not None and item_id not in known:
                record = ImportedItem(site=self.site.key, item_id=item_id, post_id=post_id)
                unclaimed.setdefault(record.item_id, record)
        return known, unclaimed

    def _claim(self, item: Item, record: ImportedItem | None) -> Post | None:
        """Return the post an import made before origins were kept of this very item, if any.

        The id alone could be another site's; the item's old permalink, recorded with the
        post, says it is the same item. The record then takes this export's origin.
        """
        if record is None or not item.link:
            return None
        parts = urlsplit(item.link)
        path, query = old_path(parts.path), old_query(parse_qsl(parts.query))
        same = self.session.scalar(
            select(OldAddress.id).where(
                OldAddress.post_id == record.post_id,
                OldAddress.site == self.site.key,
                OldAddress.path == path,
                OldAddress.query == query,
            )
        )
        if same is None:
            return None
        record.origin = self.origin
        self.session.add(record)
        return self.session.get(Post, record.post_id)

    def _withdraw_hidden(self, plans) -> None:
        """Make drafts of the protected or private items an earlier version made public."""
        for plan in plans:
            post, reason = plan.known, hidden_reason(plan.item)
            if post is None or not reason or post.status != Status.PUBLISHED:
                continue
            post.status = Status.DRAFT
            self.session.add(Revision.of(post, note="Imported from WordPress: not public there"))
            self.report.hidden.append(
                f"{plan.item.describe()}: {reason.split(':')[0]}, yet public here after an "
                "earlier import: now a draft"
            )
        self.session.flush()

    def _within_rules(self, step: Callable, *args) -> None:
        """Run a step that may flush; a refusal names the item of the post refused."""
        try:
            step(*args)
        except ContentRuleError as error:
            what = self.described.get(id(error.post), "an item")
            raise WordPressImportError(f"{what}: {error}") from error

    def _write_origin(self, post: Post, wp_id: int, addresses: list[tuple[str, str]]) -> None:
        """Record where a post came from, once it has its id: its item and old addresses."""
        site, origin = self.site.key, self.origin
        self.session.add(ImportedItem(site=site, origin=origin, item_id=wp_id, post_id=post.id))
        for path, query in addresses:
            self.session.add(OldAddress(site=site, path=path, query=query, post_id=post.id))

    def _place_pages(self, plans) -> None:
        """Put each new page under its WordPress parent page, when that page came across."""
        for plan in plans:
            post = self.made.get(plan.item.wp_id)
            if plan.known is not None or post is None or plan.kind != Kind.PAGE:
                continue
            wanted = plan.item.parent
            if not wanted:
                continue
            parent = self.made.get(wanted)
            if parent is None or parent.kind != Kind.PAGE or _descends(parent, post, self.made):
                self.report.skipped.append(
                    f"{plan.item.describe()}: its parent page {wanted} did not come across: "
                    "a top-level page here"
                )
                continue
            post.parent_id = parent.id
            self.report.nested += 1
        self.session.flush()


def origin_of(export: Export) -> str:
    """Return the WordPress site an export comes from, as items are known by (with their id).

    The blog's own address (`wp:base_blog_url`) comes first: on a multisite network,
    `wp:base_site_url` is the network's, shared by blogs whose ids overlap. Scheme, "www.",
    default port, case of the host and trailing slash do not make another site.
    """
    address = export.base_url or export.link
    parts = urlsplit(address if "//" in address else f"//{address}")
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    except ValueError:  # not a number: keep it as written, it still names one site
        port = ":" + parts.netloc.rpartition(":")[2]
    return f"{host}{port}{parts.path.rstrip('/')}"[:ORIGIN_MAX]


def _descends(page: Post, ancestor: Post, made: dict[int, Post]) -> bool:
    """Return whether `page` already sits under `ancestor` (a parent loop WordPress let in)."""
    by_id = {p.id: p for p in made.values()}
    seen: set[int] = set()
    while page is not None and page.id not in seen:
        if page.id == ancestor.id:
            return True
        seen.add(page.id)
        page = by_id.get(page.parent_id)
    return False
