"""One WordPress item made into a post: its status, dates, slug, title, report lines.

A part of the import (wordpress._Import inherits it): the driver gives it `session`, `sites`,
`site`, `language`, `zone`, `report`, `export`, `attachments`, `serialized_groups`, `uploads`,
`index`, `batch`, `by_wordpress`, `made` and `described`, the terms part its `_group_key`, and
the extras part (wpextras.py) the item's comments, featured image and old addresses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from lxml import etree
from lxml import html as lxml_html

from .. import fields, posters
from ..comments.service import add_imported
from ..mediahtml import media_names
from ..models import Kind, Post, PublicationKind, Revision, Status, User
from ..rendering import Rendered, RenderError
from ..slugs import free_slug, slugify
from .wpcontent import Converted, convert, cut_title
from .wpreport import TITLE_MAX
from .wxr import Item

KINDS = {"post": Kind.POST, "page": Kind.PAGE}
STATUSES = {
    "publish": Status.PUBLISHED,
    "future": Status.PUBLISHED,  # scheduled: its date is in the future
    "draft": Status.DRAFT,
    "pending": Status.DRAFT,
    "private": Status.DRAFT,  # no private posts here: kept out of sight as a draft
}
OTHER_TYPES = {
    "attachment": "listed under Attachments",
    "revision": "the store keeps its own revisions",
    "nav_menu_item": "menus here are made of pages, in their menu order",
}
ZERO_DATE = "0000-00-00 00:00:00"
UNTITLED = "(no title)"


@dataclass
class Plan:
    """An item that is (or will be) a post: its kind, language and Polylang group."""

    item: Item
    kind: str
    language: str
    group: str = ""
    known: Post | None = None  # the post an earlier run of this import made of it


@dataclass
class Draft:
    """A new post as decided before its text is rendered (see Items._prepare)."""

    plan: Plan
    skip: str = ""  # the report's line when the item is left out
    deferred: bool = False
    status: str = ""
    hidden: str = ""
    key: str | None = None
    moment: datetime | None = None
    floating: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    content: Converted | None = None

    def text(self) -> tuple[str, str | None]:
        """Return what to render: the source in its language ("" when nothing is)."""
        return (self.content.source, self.plan.language) if self.content else ("", None)


class Items:
    """Decide what becomes of each item, then create the posts of the new ones."""

    def _plan(self, item: Item, known: Post | None) -> Plan | None:
        """Return what becomes of an item, or None after reporting why it is left out."""
        kind = KINDS.get(item.post_type)
        if item.post_type == "attachment":
            parent = f" (attached to {item.parent})" if item.parent else ""
            self.report.attachments.append(f"{item.attachment_url or item.link}{parent}")
            return None
        if kind is None:
            reason = OTHER_TYPES.get(item.post_type, "no such kind of content here")
            self.report.skipped.append(f"{item.describe()}: {reason}")
            return None
        if item.status not in STATUSES and item.status != "trash":
            self.report.skipped.append(f"{item.describe()}: its status is {item.status!r}")
            return None
        problem = _odd(item)
        if problem:
            self.report.skipped.append(f"line {item.line}: {item.describe()}: {problem}")
            return None
        markers = item.terms_of("language")
        language = markers[0].slug.lower() if markers else self.language
        groups = item.terms_of("post_translations")
        group = groups[0].slug if groups else self.serialized_groups.get(item.wp_id, "")
        plan = Plan(item, kind, language, group, known)
        if known is not None:
            self.report.already += 1
        elif not self.site.accepts(language):
            self.report.skipped.append(
                f"{item.describe()} ({language}): the site {self.site.key} publishes only in "
                + ", ".join(self.site.languages)
            )
            return None
        return plan

    def _prepare_all(self, plans: list[Plan]) -> Iterator[Draft]:
        claimed: set[tuple[str, str]] = set()
        for plan in plans:
            yield self._prepare(plan, claimed)

    def _prepare(self, plan: Plan, claimed: set[tuple[str, str]] | None) -> Draft:
        """Decide what can be decided of a new post before its text is rendered.

        An item whose group's language an earlier item of this export `claimed` waits
        (deferred) until that one is stored or left out: only then is it known whether it
        has a place, and its content is converted (uploads copied) only if it has one.
        """
        item, draft = plan.item, Draft(plan)
        what = item.describe()
        if item.status == "trash":
            draft.status = STATUSES.get(item.meta.get("_wp_trash_meta_status", ""), Status.DRAFT)
        else:
            draft.status = STATUSES[item.status]
        # The store has no protected posts: a text its author locked must not become public.
        draft.hidden = hidden_reason(item)
        if draft.hidden:
            draft.status = Status.DRAFT
        draft.key = key = self._group_key(plan)
        if key is not None and claimed is not None and (key, plan.language) in claimed:
            draft.deferred = True
            return draft
        if key is not None and self.index.group_taken(key, plan.language):
            draft.skip = (
                f"{what} ({plan.language}): its translation group already has a post in "
                f"{plan.language}"
            )
            return draft
        draft.moment = moment = self._utc(item.post_date_gmt, item.post_date)
        if draft.status == Status.PUBLISHED and moment is None:
            draft.skip = f"{what}: published, but without a date"
            return draft
        if key is not None and claimed is not None:
            claimed.add((key, plan.language))
        # A draft without a GMT date has a floating date in WordPress: no publication time yet.
        draft.floating = draft.status == Status.DRAFT and _parse_date(item.post_date_gmt) is None
        draft.created_at = moment or datetime.now(UTC)
        draft.updated_at = self._utc(item.modified_gmt, item.modified, count=False)
        draft.content = convert(
            item.content,
            post_id=item.wp_id,
            language=plan.language,
            attachments=self.attachments,
            uploads_base=self.export.base_url,
            place_upload=self.uploads.place if self.uploads is not None else None,
        )
        return draft

    def _create(
        self, draft: Draft, rendered: Rendered | RenderError | None, users: dict[str, User]
    ) -> None:
        if draft.deferred:
            draft, rendered = self._prepare(draft.plan, None), None
        if draft.skip:
            self.report.skipped.append(draft.skip)
            return
        plan, item, report, content = draft.plan, draft.plan.item, self.report, draft.content
        what = item.describe()
        status, key, moment = draft.status, draft.key, draft.moment
        created_at = draft.created_at
        updated_at = draft.updated_at or created_at
        title = cut_title(item.title or UNTITLED, TITLE_MAX)
        if title != (item.title or UNTITLED):
            report.titles.append(f"{item.post_type} {item.wp_id}: {len(item.title)} characters")
        post = Post(
            kind=plan.kind,
            language=plan.language,
            title=title,
            slug=self._slug(plan),
            summary=_plain_text(item.excerpt) or content.summary,
            status=status,
            published_at=None if draft.floating else moment,
            created_at=created_at,
            updated_at=max(updated_at, created_at),
            menu_order=item.menu_order if plan.kind == Kind.PAGE else None,
            pinned=item.sticky and plan.kind == Kind.POST,
        )
        if key is not None:
            post.translation_key = key
        if item.status == "trash":
            stamp = fields.parse_int(item.meta.get("_wp_trash_meta_time", ""), fields.TIMESTAMP)
            post.deleted_at = (
                datetime.fromtimestamp(stamp, UTC) if stamp is not None else post.updated_at
            )
        try:
            if isinstance(rendered, RenderError):
                raise rendered
            if media_names(content.source) or posters.stored(content.source):
                # It shows files of the library (--uploads) or kept posters: rendered here.
                post.set_source(content.source, session=self.session)
            else:
                post.set_source(content.source, rendered=rendered)
        except RenderError as error:
            report.skipped.append(f"{what}: {error}")
            return
        featured = self._featured_image(item, plan.language)
        if featured is not None:
            post.featured_media_id = featured.id
        post.publish_on(self.site.key, PublicationKind.HOME)
        carried = [self.by_wordpress.get((t.domain, t.slug)) for t in item.terms]
        post.terms = list(dict.fromkeys(t for t in carried if t is not None))
        author = self.export.authors.get(item.creator)
        name = author.name if author else item.creator
        user = users.get(author.email.lower()) if author and author.email else None
        if name:
            report.authors[name if name == item.creator else f"{name} ({item.creator})"] += 1
        self.session.add(post)
        note = f"Imported from WordPress; author: {name or 'unknown'}"
        self.session.add(Revision.of(post, user, note=note[:200]))
        self.index.add(post)
        self.described[id(post)] = what
        addresses = self._old_addresses(post, plan)
        post.comments_open = item.comment_status != "closed"
        comments = self._comments(item, plan.kind, users)

        def then() -> None:
            self._write_origin(post, item.wp_id, addresses)
            if comments:
                add_imported(self.session, post, comments)

        self.batch.add(then=then)
        self.made[item.wp_id] = post
        self._report_created(draft, post, what)

    def _report_created(self, draft: Draft, post: Post, what: str) -> None:
        """Count a new post in the report, with what its item brought that the store lacks."""
        plan, item, report, content = draft.plan, draft.plan.item, self.report, draft.content
        if plan.kind == Kind.PAGE:
            report.pages += 1
        else:
            report.posts += 1
        if draft.hidden:
            report.hidden.append(f"{what}: {draft.hidden}")
        if post.pinned:
            report.sticky.append(what)
        for term in item.terms_of("post_format"):
            report.formats[term.slug.removeprefix("post-format-")] += 1
        if item.meta.get("_thumbnail_id", "").strip():
            if post.featured_media_id is not None:
                report.featured_imported += 1
            else:
                report.featured += 1
        report.converted.update(content.converted)
        report.external_uploads.update(content.uploads)
        if content.unknown:
            report.shortcodes.append(
                f"{what}: " + ", ".join(f"{n} × {name}" for name, n in content.unknown.items())
            )
        report.content += [f"{what}: {note}" for note in content.notes]

    def _slug(self, plan: Plan) -> str:
        """Return a free slug for the item: WordPress's, decoded to ASCII, else its title's."""
        item = plan.item
        wanted = unquote(
            item.meta.get("_wp_desired_post_slug") or item.post_name.removesuffix("__trashed")
        )
        base = slugify(wanted) or slugify(item.title) or f"{item.post_type}-{item.wp_id}"
        slug = free_slug(
            self.session,
            base,
            plan.language,
            page=plan.kind == Kind.PAGE,
            languages=self.sites.languages,
            taken=self.index.slug_taken,
        )
        if wanted and slug != wanted:
            self.report.renamed.append(f"{item.describe()}: {wanted} → {slug}")
        return slug

    def _utc(self, gmt: str, local: str, count: bool = True) -> datetime | None:
        """Return a WordPress date in UTC: its GMT column, else its local one in the zone."""
        moment = _parse_date(gmt)
        if moment is not None:
            return moment.replace(tzinfo=UTC)
        moment = _parse_date(local)
        if moment is None:
            return None
        self.report.local_dates += count
        return moment.replace(tzinfo=self.zone).astimezone(UTC)


def hidden_reason(item: Item) -> str:
    """Return why an item that WordPress kept from readers becomes a draft here ("" if not)."""
    if item.password:
        return "protected by a password on WordPress: imported as a draft"
    if item.status == "private" or item.meta.get("_wp_trash_meta_status") == "private":
        return "private on WordPress: imported as a draft"
    return ""


def _parse_date(value: str) -> datetime | None:
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _odd(item: Item) -> str | None:
    """Return why an item cannot become a post as it is (None: it can)."""
    if item.wp_id < 1:
        return "its <wp:post_id> is not a whole number written with the digits 0 to 9"
    try:
        # An over-long title is cut at a word and reported, not refused (see _create).
        fields.text(fields.TITLE, cut_title(item.title, TITLE_MAX))
        fields.text(fields.SUMMARY, _plain_text(item.excerpt))
        fields.text(fields.SOURCE, item.content)
    except fields.FieldError as error:
        return str(error)
    except ValueError as error:
        return str(error)
    return None


def _plain_text(html: str) -> str:
    """Return an excerpt as the plain text a summary is (WordPress allows some HTML there).

    Raise ValueError when lxml cannot read it (a whole document, for one).
    """
    if "<" not in html:
        return html.strip()
    try:
        fragment = lxml_html.fragment_fromstring(html, create_parent="div")
    except (AssertionError, etree.ParserError, etree.XMLSyntaxError):
        raise ValueError(
            "its excerpt cannot be read as HTML (a fragment is expected, not a whole document)"
        ) from None
    return fragment.text_content().strip()
