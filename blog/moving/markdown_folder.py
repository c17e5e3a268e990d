"""A Markdown folder (its format: markdown_format.py) read back into the store.

Exporting then importing into an empty database gives the same store
(posts, publications, terms, translation groups, announcements, old addresses);
revisions, accounts and sign-in records are not content and stay out (a backup
keeps them). Importing into a store that has posts updates those with the same
language and slug, so an author can also write posts in their own editor.
markdown_export.py writes the folder.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import fields, posters
from ..comments.models import Comment
from ..comments.service import Imported, add_imported
from ..mediahtml import media_names
from ..models import (
    Kind,
    OldAddress,
    Post,
    Revision,
    SlugHistory,
    Status,
    Term,
    TermKind,
)
from ..rendering import Rendered, RenderError, render_many
from ..rules import ContentRuleError
from ..slugs import slugify
from .batches import Batch, StoreIndex
from .markdown_format import (
    SITES_COPY,
    TERMS_FILE,
    FolderError,
    as_list,
    as_moment,
    check_fields,
    read_file,
    term_names,
)
from .markdown_media import import_media


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    terms: int = 0
    notes: list[str] = field(default_factory=list)


def import_folder(session: Session, folder: Path, sites_file: Path | None = None) -> Report:
    """Read a folder back into the store, in one transaction; return what was done."""
    if not folder.is_dir():
        raise FolderError(f"{folder} is not a folder.")
    report = Report()
    copy = folder / SITES_COPY
    if sites_file is not None and copy.exists() and copy.read_bytes() != sites_file.read_bytes():
        report.notes.append(
            f"{copy} differs from the configured sites file ({sites_file}); the configured "
            "one applies."
        )
    try:
        with session.no_autoflush:
            terms = _import_terms(session, folder / TERMS_FILE, report)
            report.notes += import_media(session, folder, datetime.now(UTC))
            files = [(path, *read_file(path)) for path in sorted(folder.rglob("*.md"))]
            # Originals before the announcements that point to them.
            files.sort(key=lambda f: f[1].get("kind") == Kind.ANNOUNCEMENT)
            work = _Import(session, terms, report)
            # Texts are rendered by other processes a few files ahead of the one stored here.
            texts = render_many(work.text(meta, source) for _path, meta, source in files)
            for (path, meta, source), rendered in zip(files, texts, strict=True):
                with _naming(path, work.paths):
                    work.post(path, meta, source, rendered)
            with _naming(folder, work.paths):
                work.batch.flush()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _import_terms(session: Session, path: Path, report: Report) -> dict[tuple[str, str], Term]:
    terms = {(t.kind, t.slug): t for t in session.scalars(select(Term))}
    if not path.exists():
        return terms
    try:
        text = path.read_text(encoding="utf-8")
        entries = yaml.safe_load(text) or []
        # Where each entry starts, so that a refusal names its line.
        node = yaml.compose(text)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise FolderError(f"{path}: not valid YAML ({error}).") from None
    if not isinstance(entries, list):
        raise FolderError(f"{path}: a list of terms is expected.")
    lines = [item.start_mark.line + 1 for item in node.value] if entries else []
    keyed = []
    for entry, line in zip(entries, lines, strict=True):
        if not isinstance(entry, dict) or entry.get("kind") not in list(TermKind):
            raise FolderError(
                f"{path}, line {line}: each term has a kind (category or tag) and a slug."
            )
        try:
            names = term_names(entry)
            key = (entry["kind"], fields.slug(str(entry.get("slug", ""))))
        except (fields.FieldError, ValueError) as error:
            raise FolderError(f"{path}, line {line}: {error}") from None
        keyed.append((entry, key))
        term = terms.get(key)
        if term is None:
            term = terms[key] = Term(kind=key[0], slug=key[1])
            session.add(term)
            report.terms += 1
        for language, name in names.items():
            if term.name(language) != name or language not in {n.language for n in term.names}:
                term.set_name(language, name)
    session.flush()
    for entry, key in keyed:
        term = terms[key]
        parent = terms.get((entry["kind"], str(entry.get("parent"))))
        wanted = parent.id if parent is not None and "parent" in entry else None
        if term.parent_id != wanted:
            term.parent_id = wanted
    return terms


@contextmanager
def _naming(path: Path, paths: dict[int, Path]) -> Iterator[None]:
    """Turn a refusal into a FolderError naming its file (that of the refused post if known)."""
    try:
        yield
    except (ContentRuleError, RenderError, ValueError, TypeError) as error:
        if isinstance(error, ContentRuleError) and id(error.post) in paths:
            path = paths[id(error.post)]
        raise FolderError(f"{path}: {error}") from error
    except KeyError as error:
        raise FolderError(f"{path}: the key {error} is missing.") from error


class _Import:
    """Files read into the store, flushed in batches (moving.batches), in one transaction."""

    def __init__(self, session: Session, terms: dict[tuple[str, str], Term], report: Report):
        self.session, self.terms, self.report = session, terms, report
        self.index, self.batch = StoreIndex(session), Batch(session)
        self.paths: dict[int, Path] = {}  # id(post) → its file, for a refusal's message

    def text(self, meta: dict, source: str) -> tuple[str, str | None]:
        """Return what to render ahead for a file: its source, unless the store has it."""
        try:
            language = str(meta["language"])
            slug = fields.slug(str(meta.get("slug") or slugify(str(meta["title"]))))
        except (KeyError, ValueError, TypeError):
            return "", None  # the file is refused when its turn comes
        post = self.index.post(language, slug)
        if post is not None and post.source == source:
            return "", None
        return source, language

    def post(self, path: Path, meta: dict, source: str, rendered: Rendered | RenderError) -> None:
        session, report = self.session, self.report
        check_fields(meta, source)
        language = str(meta["language"])
        slug = fields.slug(str(meta.get("slug") or slugify(str(meta["title"]))))
        post = self.index.post(language, slug)
        created = post is None
        if created:
            post = Post(language=language, slug=slug, translation_key=str(uuid.uuid4()))
            session.add(post)
        changed = [
            _assign(post, "kind", str(meta.get("kind", Kind.POST))),
            _assign(post, "title", fields.text(fields.TITLE, str(meta["title"]))),
            _assign(post, "summary", str(meta.get("summary") or "")),
            _assign(post, "status", str(meta.get("status", Status.DRAFT))),
            _assign(post, "published_at", as_moment(meta.get("published"))),
            _assign(post, "menu_order", meta.get("menu_order")),
            _assign(post, "deleted_at", as_moment(meta.get("deleted"))),
            _assign_source(post, source, rendered),
        ]
        if meta.get("translation_group"):
            changed.append(_assign(post, "translation_key", str(meta["translation_group"])))
        if post.kind not in list(Kind):
            raise ValueError(f"unknown kind {post.kind!r}")
        if post.status not in list(Status):
            raise ValueError(f"unknown status {post.status!r}")
        if meta.get("announces"):
            original_language, _slash, original_slug = str(meta["announces"]).partition("/")
            original = self.index.post(original_language, original_slug)
            if original is None:
                raise ValueError(f"it announces {meta['announces']}, which is not in the store")
            changed.append(_assign(post, "announces", original))
        changed.append(post.set_sites([str(s) for s in as_list(meta["sites"])]))
        wanted = []
        for kind, key in ((TermKind.CATEGORY, "categories"), (TermKind.TAG, "tags")):
            for term_slug in as_list(meta.get(key)):
                term = self.terms.get((kind, str(term_slug)))
                if term is None:
                    raise ValueError(f"the {kind} {term_slug!r} is not in {TERMS_FILE}")
                wanted.append(term)
        if {t.id for t in post.terms} != {t.id for t in wanted} or created:
            post.terms = wanted
            changed.append(True)
        created_at, updated_at = as_moment(meta.get("created")), as_moment(meta.get("updated"))
        if created_at is not None:
            changed.append(_assign(post, "created_at", created_at))
        if any(changed):
            # Without a date in the file, an edited post says it was updated now.
            post.updated_at = updated_at or datetime.now(UTC)
            session.add(Revision.of(post, note="Imported from Markdown"))
        self.index.add(post)
        self.paths[id(post)] = path
        addresses = self._addresses(post, meta)
        history = self._history(post, meta)
        comments = _comments(meta)
        self.batch.add(then=lambda: self._write(post, addresses, history, comments))
        if created:
            report.created += 1
        elif any(changed):
            report.updated += 1
        else:
            report.unchanged += 1

    def _addresses(self, post: Post, meta: dict) -> list[tuple[str, str, str]]:
        """Claim the old addresses of a post that the store does not have yet; return them."""
        new = []
        for entry in as_list(meta.get("old_addresses")):
            site, path, query = str(entry["site"]), str(entry["path"]), str(entry.get("query", ""))
            holder = self.index.claim(site, path, query, post)
            if holder is None:
                new.append((site, path, query))
            elif holder is not post and holder != post.id:
                holder = self.index.holder_id(holder)
                raise ValueError(f"the old address {site}:{path} already leads to post {holder}")
        return new

    def _history(self, post: Post, meta: dict) -> list[SlugHistory]:
        """Return the previous slugs of a post that the store does not have yet."""
        known = set()
        if post.id is not None:
            mine = select(SlugHistory).where(SlugHistory.post_id == post.id)
            known = {(h.language, h.slug) for h in self.session.scalars(mine)}
        history = []
        for entry in as_list(meta.get("previous_slugs")):
            key = (str(entry["language"]), str(entry["slug"]))
            if key not in known:
                known.add(key)
                changed = as_moment(entry.get("changed")) or datetime.now(UTC)
                history.append(SlugHistory(language=key[0], slug=key[1], changed_at=changed))
        return history

    def _write(
        self,
        post: Post,
        addresses: list[tuple[str, str, str]],
        history: list[SlugHistory],
        comments: list[Imported],
    ) -> None:
        """Write what refers to a post by its id, once it has one.

        Comments come in only to a post that has none yet: importing a folder again, or into
        a store whose readers went on commenting, adds no copy.
        """
        for site, path, query in addresses:
            self.session.add(OldAddress(site=site, path=path, query=query, post_id=post.id))
        for moved in history:
            moved.post_id = post.id
            self.session.add(moved)
        if comments and post.kind == Kind.POST:
            has = select(Comment.id).where(Comment.post_id == post.id).limit(1)
            if self.session.scalar(has) is None:
                add_imported(self.session, post, comments)


def _assign(obj, name: str, value) -> bool:
    """Set an attribute only when it changes, so that an unchanged post stays untouched."""
    if getattr(obj, name) == value:
        return False
    setattr(obj, name, value)
    return True


def _assign_source(post: Post, source: str, rendered: Rendered | RenderError) -> bool:
    """Set a source only when it changes (Post.set_source), with its rendering made ahead."""
    if post.source == source:
        return False
    made_ahead = isinstance(rendered, Rendered) and rendered.source == source
    # A text showing library files, or embeds whose posters are kept, is rendered here, with
    # them (the library's sizes and copies, the posters).
    with_store = media_names(source) or posters.stored(source)
    if made_ahead and rendered.language == post.language and not with_store:
        post.set_source(source, rendered=rendered)
    else:
        # Not rendered ahead for this text (or refused: rendered again for the message).
        post.set_source(source)
    return True


def _comments(meta: dict) -> list[Imported]:
    """Return the comments of a file's front matter (see markdown_export.comment_entries)."""
    found = []
    for n, entry in enumerate(as_list(meta.get("comments")), start=1):
        reply_to = entry.get("reply_to")
        found.append(
            Imported(
                key=str(entry.get("id", f"#{n}")),
                parent=None if reply_to is None else str(reply_to),
                name=str(entry.get("name") or ""),
                website=str(entry.get("website") or ""),
                text=str(entry["text"]),
                created_at=as_moment(entry.get("date")) or datetime.now(UTC),
                by_author=entry.get("by_author") is True,
            )
        )
    return found
