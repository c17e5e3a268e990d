"""Bring a WordPress export into the store for one site, in one transaction, with a report.

Posts and pages keep their HTML body as their source (Markdown lets HTML through,
and the store sanitizes it like any text), their status, dates, slug, excerpt,
categories and tags. Polylang's language and translation markers give each post
its language and rebuild the translation groups. Every post records its old
permalink and `?p=ID` as old addresses, which answer 301 (redirects.py) and which
tell a second run of the same import what is already there.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import tee
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree
from lxml import html as lxml_html
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .. import fields
from ..models import (
    OLD_PATH_MAX,
    ORIGIN_MAX,
    ImportedItem,
    Kind,
    OldAddress,
    Post,
    PublicationKind,
    Revision,
    Status,
    Term,
    TermKind,
    User,
)
from ..queries import term_by_slug
from ..redirects import QUERY_MAX, old_path, old_query
from ..rendering import Rendered, RenderError, render_many
from ..rules import ContentRuleError
from ..sites import SiteRegistry
from ..slugs import free_slug, slugify
from .batches import Batch, StoreIndex
from .wpcontent import Attachment, Converted, convert, cut_title, plain_title
from .wpuploads import Uploads
from .wxr import Export, Item, TermEntry, php_translations

# Translation keys made from Polylang's group names, the same on every run of an import.
POLYLANG_GROUPS = uuid.UUID("8a1b5f0e-2a4e-4c55-9a53-0f1c6c7d2e11")
KINDS = {"post": Kind.POST, "page": Kind.PAGE}
TAXONOMIES = {"category": TermKind.CATEGORY, "post_tag": TermKind.TAG}
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
TITLE_MAX = Post.__table__.c.title.type.length
ZERO_DATE = "0000-00-00 00:00:00"
UNTITLED = "(no title)"


class WordPressImportError(Exception):
    """The import cannot be completed; nothing was written."""


@dataclass
class Report:
    """What an import did, and what it left behind and why."""

    site: str
    timezone: str
    posts: int = 0
    pages: int = 0
    terms: int = 0
    groups: int = 0
    redirects: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)
    authors: Counter[str] = field(default_factory=Counter)
    renamed: list[str] = field(default_factory=list)
    shortcodes: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    sticky: list[str] = field(default_factory=list)
    nested: int = 0
    formats: Counter[str] = field(default_factory=Counter)
    featured: int = 0
    # Items that were not public on WordPress (a password, private): drafts here, one line each.
    hidden: list[str] = field(default_factory=list)
    comments: Counter[str] = field(default_factory=Counter)
    local_dates: int = 0
    converted: Counter[str] = field(default_factory=Counter)
    content: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    external_uploads: set[str] = field(default_factory=set)
    uploads: Uploads | None = None

    def lines(self) -> list[str]:
        """Return the report as lines of text for the terminal."""
        lines = [
            f"Imported into {self.site}: {self.posts} posts, {self.pages} pages, {self.terms} "
            f"terms, {self.groups} translation groups and {self.redirects} redirects created; "
            f"{self.already} items were already imported."
        ]
        if self.nested:
            lines.append(f"{self.nested} pages placed under their parent page.")
        if self.authors:
            lines.append("Authors (named in each post's first revision; posts have no author):")
            lines += [f"  {name}: {n}" for name, n in sorted(self.authors.items())]
        skipped = list(self.skipped)
        comments = sum(self.comments.values())
        if comments:
            detail = ", ".join(f"{n} {state}" for state, n in sorted(self.comments.items()))
            skipped.append(
                f"{comments} comments ({detail}): not imported, the store has no comments"
            )
        if self.formats:
            detail = ", ".join(f"{name}: {n}" for name, n in sorted(self.formats.items()))
            skipped.append(
                f"{sum(self.formats.values())} post formats ({detail}): not imported, the "
                "posts are ordinary posts here"
            )
        if self.featured:
            skipped.append(
                f"{self.featured} featured images (_thumbnail_id): not imported, the posts "
                "keep their text; the image files are listed under Attachments"
            )
        if self.converted:
            lines.append(
                "Converted from WordPress's syntax: "
                + ", ".join(f"{n} {what}" for what, n in sorted(self.converted.items()))
            )
        sections = [
            ("Skipped", skipped),
            ("Not public on WordPress, so not public here", self.hidden),
            ("Shortcodes left in the text (they mean nothing here: edit these)", self.shortcodes),
            ("Content", self.content),
            (f"Titles cut to {TITLE_MAX} characters", self.titles),
            *self._upload_sections(),
            (
                "Attachments (their files stay at these addresses unless a text links them and "
                "--uploads brought them)"
                if self.uploads is not None
                else "Attachments (not downloaded: their files stay at these addresses)",
                self.attachments,
            ),
            (
                "Pinned (sticky on WordPress: listed first on the home page)",
                self.sticky,
            ),
            ("Slugs changed", self.renamed),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{title}:")
                lines += [f"  {item}" for item in items]
        lines += self._upload_line()
        if self.local_dates:
            lines.append(
                f"{self.local_dates} dates had no UTC counterpart in the export and were read "
                f"in {self.timezone}."
            )
        return lines

    def _upload_sections(self) -> list[tuple[str, list[str]]]:
        uploads = self.uploads
        if uploads is None:
            return []
        return [
            ("Not found in the uploads folder (linked at their old address)", uploads.missing),
            ("Refused (a path out of the uploads folder; left as they are)", uploads.refused),
        ]

    def _upload_line(self) -> list[str]:
        if self.uploads is not None:
            n = len(self.uploads.copied)
            return [f"{n} files copied from the uploads folder into the media store."]
        if self.external_uploads:
            n = len(self.external_uploads)
            return [
                f"{n} files of the WordPress uploads folder are linked at their old address "
                "(import with --uploads DIR to bring them here)."
            ]
        return []


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
        report = work.run(export, on_item)
        session.commit()
    except BaseException:
        session.rollback()
        if uploads is not None:
            uploads.undo()
        raise
    return report


@dataclass
class _Plan:
    """An item that is (or will be) a post: its kind, language and Polylang group."""

    item: Item
    kind: str
    language: str
    group: str = ""
    known: Post | None = None  # the post an earlier run of this import made of it


@dataclass
class _Draft:
    """A new post as decided before its text is rendered (see _Import._prepare)."""

    plan: _Plan
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


class _Import:
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
            if query[2:].isdigit() and int(query[2:]) not in known:
                record = ImportedItem(site=self.site.key, item_id=int(query[2:]), post_id=post_id)
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
            post, reason = plan.known, _hidden_reason(plan.item)
            if post is None or not reason or post.status != Status.PUBLISHED:
                continue
            post.status = Status.DRAFT
            self.session.add(Revision.of(post, note="Imported from WordPress: not public there"))
            self.report.hidden.append(
                f"{plan.item.describe()}: {reason.split(':')[0]}, yet public here after an "
                "earlier import: now a draft"
            )
        self.session.flush()

    def _plan(self, item: Item, known: Post | None) -> _Plan | None:
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
        plan = _Plan(item, kind, language, group, known)
        if known is not None:
            self.report.already += 1
        elif not self.site.accepts(language):
            self.report.skipped.append(
                f"{item.describe()} ({language}): the site {self.site.key} publishes only in "
                + ", ".join(self.site.languages)
            )
            return None
        return plan

    def _serialized_groups(self, export: Export) -> dict[int, str]:
        """Return Polylang's post groups given in the channel's terms: WordPress id → group.

        Items may carry only their language; their groups are then read from the serialized
        description of each `post_translations` term.
        """
        groups: dict[int, str] = {}
        for term in export.terms:
            if term.taxonomy != "post_translations":
                continue
            try:
                members = php_translations(term.description)
            except ValueError as error:
                self.report.skipped.append(
                    f"Polylang group {term.slug}: its description cannot be read ({error}); "
                    "its posts are imported without their translations unless they name it"
                )
                continue
            for wp_id in members.values():
                groups.setdefault(wp_id, term.slug)
        return groups

    # Terms

    def _make_terms(self, export: Export, plans: list[_Plan]) -> None:
        """Find or create the terms the new posts carry, with their ancestors and names."""
        carried = {(t.domain, t.slug) for plan in plans for t in plan.item.terms}
        declared = {(t.taxonomy, t.slug): t for t in export.terms if t.taxonomy in TAXONOMIES}
        by_id = {t.term_id: t for t in declared.values() if t.term_id is not None}
        # Polylang translates a term as another term: here, one term with a name per language.
        canonical: dict[tuple[str, str], tuple[str, str]] = {}
        members: dict[tuple[str, str], list[tuple[str, TermEntry]]] = {}
        for group in export.term_groups():
            found = [(lang, by_id[i]) for lang, i in group.items() if i in by_id]
            if not found:
                continue
            chosen = min(found, key=lambda pair: self._rank(pair[0]))[1]
            for lang, entry in found:
                canonical[(entry.taxonomy, entry.slug)] = (chosen.taxonomy, chosen.slug)
                members.setdefault((chosen.taxonomy, chosen.slug), []).append((lang, entry))
        seen: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for plan in plans:
            if plan.known is not None:
                continue
            for term in plan.item.terms:
                if term.domain not in TAXONOMIES:
                    continue
                key = (term.domain, term.slug)
                entry = declared.get(key)
                name = entry.name if entry else term.name
                seen.setdefault(key, []).append((plan.language, name))
                # A category brings its ancestors, so that the hierarchy comes across whole.
                while entry is not None and entry.parent and entry.taxonomy == "category":
                    key = ("category", entry.parent)
                    entry = declared.get(key)
                    seen.setdefault(key, [])
                    carried.add(key)
        by_slug: dict[tuple[str, str], Term] = {}
        created: list[tuple[Term, TermEntry | None]] = []
        for key, names in seen.items():
            chosen = canonical.get(key, key)
            entry = declared.get(chosen)
            kind = TAXONOMIES[key[0]]
            slug = self._term_slug(chosen, entry, names)
            with self.session.no_autoflush:  # by_slug has the terms made here: one flush
                term = by_slug.get((kind, slug)) or self.session.scalar(term_by_slug(kind, slug))
            if term is None:
                term = Term(kind=kind, slug=slug)
                self.session.add(term)
                created.append((term, entry))
            by_slug[(kind, slug)] = self.by_wordpress[key] = term
            translated = [(lang, e.name) for lang, e in members.get(chosen, [])]
            for lang, name in [*translated, *names]:
                # Names are added, never changed: a second run, or the author's edits, stay.
                if name and self.site.accepts(lang) and lang not in _languages(term):
                    term.set_name(lang, name[:200])
            if not term.names:
                term.set_name(self.language, (entry.name if entry else "") or slug)
        self.session.flush()
        for term, entry in created:
            if entry is not None and entry.parent:
                parent_key = ("category", entry.parent)
                parent = self.by_wordpress.get(canonical.get(parent_key, parent_key))
                if parent is not None and parent is not term:
                    term.parent_id = parent.id
        self.report.terms = len(created)
        used = {canonical.get(key, key) for key in carried}
        unused = [key for key in declared if canonical.get(key, key) not in used]
        if unused:
            self.report.skipped.append(
                f"{len(unused)} categories and tags carried by no post: "
                + ", ".join(slug for _taxonomy, slug in unused)
            )

    def _term_slug(self, key, entry: TermEntry | None, names: list[tuple[str, str]]) -> str:
        """Return a term's slug here: WordPress's (decoded, made ASCII), else its name's."""
        name = entry.name if entry is not None else next((n for _lang, n in names if n), "")
        slug = slugify(unquote(key[1])) or slugify(name)
        if not slug:
            slug = f"term-{entry.term_id}" if entry and entry.term_id else "term"
        return slug

    def _rank(self, language: str) -> int:
        languages = self.site.languages
        return languages.index(language) if language in languages else len(languages)

    # Posts

    def _prepare_all(self, plans: list[_Plan]) -> Iterator[_Draft]:
        claimed: set[tuple[str, str]] = set()
        for plan in plans:
            yield self._prepare(plan, claimed)

    def _prepare(self, plan: _Plan, claimed: set[tuple[str, str]] | None) -> _Draft:
        """Decide what can be decided of a new post before its text is rendered.

        An item whose group's language an earlier item of this export `claimed` waits
        (deferred) until that one is stored or left out: only then is it known whether it
        has a place, and its content is converted (uploads copied) only if it has one.
        """
        item, draft = plan.item, _Draft(plan)
        what = item.describe()
        if item.status == "trash":
            draft.status = STATUSES.get(item.meta.get("_wp_trash_meta_status", ""), Status.DRAFT)
        else:
            draft.status = STATUSES[item.status]
        # The store has no protected posts: a text its author locked must not become public.
        draft.hidden = _hidden_reason(item)
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

    def _within_rules(self, step: Callable, *args) -> None:
        """Run a step that may flush; a refusal names the item of the post refused."""
        try:
            step(*args)
        except ContentRuleError as error:
            what = self.described.get(id(error.post), "an item")
            raise WordPressImportError(f"{what}: {error}") from error

    def _create(
        self, draft: _Draft, rendered: Rendered | RenderError | None, users: dict[str, User]
    ) -> None:
        if draft.deferred:
            draft, rendered = self._prepare(draft.plan, None), None
        if draft.skip:
            self.report.skipped.append(draft.skip)
            return
        plan, item, report, content = draft.plan, draft.plan.item, self.report, draft.content
        what = item.describe()
        status, hidden, key, moment = draft.status, draft.hidden, draft.key, draft.moment
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
            post.set_source(content.source, rendered=rendered)
        except RenderError as error:
            report.skipped.append(f"{what}: {error}")
            return
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
        self.batch.add(then=lambda: self._write_origin(post, item.wp_id, addresses))
        if plan.kind == Kind.PAGE:
            report.pages += 1
        else:
            report.posts += 1
        if hidden:
            report.hidden.append(f"{what}: {hidden}")
        self.made[item.wp_id] = post
        if post.pinned:
            report.sticky.append(what)
        for term in item.terms_of("post_format"):
            report.formats[term.slug.removeprefix("post-format-")] += 1
        if item.meta.get("_thumbnail_id", "").strip():
            report.featured += 1
        report.converted.update(content.converted)
        report.external_uploads.update(content.uploads)
        if content.unknown:
            report.shortcodes.append(
                f"{what}: " + ", ".join(f"{n} × {name}" for name, n in content.unknown.items())
            )
        report.content += [f"{what}: {note}" for note in content.notes]
        for state, n in item.comments.items():
            report.comments[_COMMENT_STATES.get(state, state)] += n

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

    def _group_key(self, plan: _Plan) -> str | None:
        """Return the translation key of the item's Polylang group (None: a group of its own)."""
        if not plan.group:
            return None
        if plan.group not in self.group_keys:
            # The same on every run, so that a later import completes the same group.
            made = uuid.uuid5(POLYLANG_GROUPS, f"{self.site.key}:{self.origin}:{plan.group}")
            self.group_keys[plan.group] = str(made)
        return self.group_keys[plan.group]

    def _slug(self, plan: _Plan) -> str:
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

    def _old_addresses(self, post: Post, plan: _Plan) -> list[tuple[str, str]]:
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

    def _count_groups(self, plans) -> None:
        """Count the translation groups this import made or completed (two posts or more)."""
        added = {p.group for p in plans if p.group and p.known is None}
        # A group has one post per language: its size is the number of its languages.
        sizes = Counter(key for key, _language in self.index.groups)
        for group, key in self.group_keys.items():
            if group in added and sizes[key] >= 2:
                self.report.groups += 1


def _languages(term: Term) -> set[str]:
    return {n.language for n in term.names}


_COMMENT_STATES = {"1": "approved", "0": "awaiting moderation"}


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


def _hidden_reason(item: Item) -> str:
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
