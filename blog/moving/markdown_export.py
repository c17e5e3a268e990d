"""The store written out as a Markdown folder; markdown_format.py says its format."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..comments.models import Comment, CommentStatus
from ..models import Kind, OldAddress, Post, SlugHistory, Term
from .markdown_format import DELIMITER, FOLDERS, SITES_COPY, TERMS_FILE, FolderError
from .markdown_media import export_media, relative_links


def export_folder(session: Session, folder: Path, sites_file: Path | None = None) -> int:
    """Write every post, page and announcement, the terms, the sites file and the media files
    (markdown_media.py) into `folder`.

    Return the number of files of posts written. The folder must be empty or new,
    so that no file of an earlier export lingers as a post that no longer exists.
    """
    if folder.exists() and any(folder.iterdir()):
        raise FolderError(f"{folder} is not empty: export into a new or empty folder.")
    folder.mkdir(parents=True, exist_ok=True)
    if sites_file is not None:
        shutil.copyfile(sites_file, folder / SITES_COPY)
    terms = list(session.scalars(select(Term).order_by(Term.kind, Term.slug)))
    _write(folder / TERMS_FILE, _dump([_term_entry(t, terms) for t in terms]))
    addresses: dict[int, list[OldAddress]] = {}
    for address in session.scalars(select(OldAddress).order_by(OldAddress.id)):
        addresses.setdefault(address.post_id, []).append(address)
    history: dict[int, list[SlugHistory]] = {}
    for moved in session.scalars(select(SlugHistory).order_by(SlugHistory.id)):
        history.setdefault(moved.post_id, []).append(moved)
    comments: dict[int, list[Comment]] = {}
    approved = select(Comment).where(Comment.status == CommentStatus.APPROVED)
    for comment in session.scalars(approved.order_by(Comment.created_at, Comment.id)):
        comments.setdefault(comment.post_id, []).append(comment)
    export_media(session, folder)
    count = 0
    for post in session.scalars(select(Post).order_by(Post.id)):
        meta = front_matter(post, addresses.get(post.id, []), history.get(post.id, []))
        if post.id in comments:
            meta["comments"] = comment_entries(comments[post.id])
        path = folder / FOLDERS[Kind(post.kind)] / post.language / f"{post.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        source = relative_links(post.source)
        _write(path, f"{DELIMITER}\n{_dump(meta)}{DELIMITER}\n{source}")
        count += 1
    return count


def front_matter(
    post: Post, addresses: list[OldAddress] = (), history: list[SlugHistory] = ()
) -> dict:
    """Return the front matter of a post: everything the store knows of it but its text."""
    meta = {
        "title": post.title,
        "kind": post.kind,
        "language": post.language,
        "slug": post.slug,
        "translation_group": post.translation_key,
        "sites": post.sites,
        "status": post.status,
        "published": _iso(post.published_at),
        "created": _iso(post.created_at),
        "updated": _iso(post.updated_at),
    }
    if post.deleted_at is not None:
        meta["deleted"] = _iso(post.deleted_at)
    if post.menu_order is not None:
        meta["menu_order"] = post.menu_order
    if post.summary:
        meta["summary"] = post.summary
    for name, terms in (("categories", post.categories()), ("tags", post.tags())):
        if terms:
            meta[name] = sorted(t.slug for t in terms)
    if post.announces is not None:
        meta["announces"] = f"{post.announces.language}/{post.announces.slug}"
    if addresses:
        meta["old_addresses"] = [_address_entry(a) for a in addresses]
    if history:
        meta["previous_slugs"] = [
            {"language": h.language, "slug": h.slug, "changed": _iso(h.changed_at)} for h in history
        ]
    return meta


def comment_entries(comments: list[Comment]) -> list[dict]:
    """Return a post's approved comments as front matter: numbered in order, a reply naming
    the number it answers; no email (a folder travels; a backup keeps everything)."""
    numbers = {comment.id: n for n, comment in enumerate(comments, start=1)}
    entries = []
    for comment in comments:
        entry = {"id": numbers[comment.id], "name": comment.name}
        if comment.parent_id in numbers:
            entry["reply_to"] = numbers[comment.parent_id]
        if comment.website:
            entry["website"] = comment.website
        if comment.by_author:
            entry["by_author"] = True
        entry["date"] = _iso(comment.created_at)
        entry["text"] = comment.source
        entries.append(entry)
    return entries


def _term_entry(term: Term, terms: list[Term]) -> dict:
    entry = {"kind": term.kind, "slug": term.slug}
    parent = next((t for t in terms if t.id == term.parent_id), None)
    if parent is not None:
        entry["parent"] = parent.slug
    entry["names"] = {n.language: n.name for n in term.names}
    return entry


def _address_entry(address: OldAddress) -> dict:
    entry = {"site": address.site, "path": address.path}
    if address.query:
        entry["query"] = address.query
    return entry


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _write(path: Path, text: str) -> None:
    # newline="": the source is written exactly, whatever line endings it holds.
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(text)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
