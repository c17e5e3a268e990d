"""The media library's files: upload, replace, delete, and where each is used.

A file is first checked and made ready (mediaintake.py: its type from its content, an
image cleaned, turned upright, resized). It is stored under a safe, unique name at
/media/<name>, an address that survives a replacement; pages link to fingerprinted copies
under /media/v/ (<stem>.<fingerprint>[.w<width>].<extension>), which never change and are
cached for ever.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import sniffing
from .config import media_dir
from .mediahtml import NAME, card_path
from .mediaintake import MediaRefused, Prepared, check, has_metadata, human_size, prepare
from .models import Media, MediaKind, Post
from .slugs import slugify

VARIANTS = "v"


class MediaInUse(ValueError):
    """A file that posts still show: deleting it would break them."""

    def __init__(self, posts: list[Post]):
        super().__init__(_("Posts that use this file: %(count)d.", count=len(posts)))
        self.posts = posts


def safe_name(session: Session, filename: str, found: sniffing.FileType) -> str:
    """Return a unique stored name: the original's stem as a slug, the type's extension."""
    stem = PurePosixPath(filename.replace("\\", "/")).stem
    base = slugify(stem)[:60].rstrip("-") or "file"
    extension = found.extensions[0]
    taken = set(session.scalars(select(Media.name).where(Media.name.startswith(base))))
    folder = media_dir()
    candidate, number = base, 1
    while f"{candidate}.{extension}" in taken or (folder / f"{candidate}.{extension}").exists():
        number += 1
        candidate = f"{base}-{number}"
    return f"{candidate}.{extension}"


def save_upload(session: Session, data: bytes, filename: str, now: datetime) -> Media:
    """Check, clean and store an upload; return its new library row (flushed)."""
    found = check(data, filename)
    prepared = prepare(data, found)
    return _store(
        session, safe_name(session, filename, found), filename[-255:], found, prepared, now
    )


def adopt(session: Session, data: bytes, origin: str, now: datetime) -> tuple[Media, bool]:
    """Bring a file of an import into the library (flushed) and return it with True, or return
    the row it already made of that very file (same origin, a path in the imported site's
    uploads, and same content) with False.

    Checked and cleaned like an upload (MediaRefused says why it is not taken); its name is
    made from the origin's file name.
    """
    found = check(data, origin)
    prepared = prepare(data, found)
    same = session.scalar(
        select(Media).where(
            Media.original_name == origin[-255:],
            Media.fingerprint == _fingerprint(prepared.data),
            Media.mime_type == found.mime_type,
        )
    )
    if same is not None:
        return same, False
    name = safe_name(session, origin, found)
    return _store(session, name, origin[-255:], found, prepared, now), True


def restore(session: Session, data: bytes, name: str, now: datetime) -> Media:
    """Bring back a library file under its own name (a Markdown folder's), with its copies.

    A file that the library stored is already clean: kept byte for byte, so that its
    fingerprint, hence the addresses of its copies, stay the same. One that carries
    metadata again is cleaned like an upload.
    """
    found = check(data, name)
    if not re.fullmatch(NAME, name) or found.extensions[0] != name.rpartition(".")[2]:
        raise MediaRefused(_("This file's name is not one the media library gives."))
    prepared = prepare(data, found)
    if found.kind != MediaKind.IMAGE or not has_metadata(data):
        prepared.data = data
    return _store(session, name, name, found, prepared, now)


def _store(session: Session, name: str, original: str, found, prepared, now: datetime) -> Media:
    """Add a library row for a checked, prepared file and write the file and its copies."""
    media = Media(
        name=name,
        original_name=original,
        kind=found.kind,
        mime_type=found.mime_type,
        created_at=now,
    )
    _apply(media, prepared, now)
    session.add(media)
    session.flush()
    _write(media, prepared)
    return media


def replace(session: Session, media: Media, data: bytes, filename: str, now: datetime) -> None:
    """Put new content behind a file's address; the posts showing it are rendered again."""
    found = check_replacement(media, data, filename)
    prepared = prepare(data, found)
    _apply(media, prepared, now)
    media.original_name = filename[-255:]
    session.flush()
    _write(media, prepared)
    for post in uses(session, media):
        if f"/media/{media.name}" in post.source:
            post.set_source(post.source)


def check_replacement(media: Media, data: bytes, filename: str) -> sniffing.FileType:
    """Return the type of a replacement, which must be the replaced file's."""
    found = check(data, filename)
    # The replacement keeps the address, so it keeps the type (and the name's extension).
    if found.mime_type != media.mime_type:
        raise MediaRefused(_("A replacement must be of the same type as the file it replaces."))
    return found


def uses(session: Session, media: Media) -> list[Post]:
    """Return the posts (trashed ones too) whose text shows the file or that feature it."""
    address = f"/media/{media.name}"
    return list(
        session.scalars(
            select(Post)
            .where(
                or_(
                    Post.source.contains(address, autoescape=True),
                    Post.featured_media_id == media.id,
                )
            )
            .order_by(Post.id)
        )
    )


def delete(session: Session, media: Media) -> None:
    """Delete a file and its copies, unless a post still uses it (MediaInUse)."""
    used = uses(session, media)
    if used:
        raise MediaInUse(used)
    session.delete(media)
    session.flush()
    for path in files_of(media):
        path.unlink(missing_ok=True)


def files_of(media: Media) -> Iterator[Path]:
    """Yield every file stored for a library row: the original and each fingerprinted copy."""
    folder = media_dir()
    yield folder / media.name
    variants = folder / VARIANTS
    if variants.is_dir():
        yield from variants.glob(f"{media.stem}.*")


def card(media: Media | None) -> str | None:
    """Return the site-relative address of an image's 1200×630 sharing card, if it has one."""
    if media is None or media.kind != MediaKind.IMAGE:
        return None
    return card_path(media.name, media.fingerprint)


def library(search: str = "", kind: str = ""):
    """Return the Select of the library's files, newest first, matching a search and a kind."""
    statement = select(Media).order_by(Media.created_at.desc(), Media.id.desc())
    if search:
        statement = statement.where(
            or_(
                Media.name.contains(search, autoescape=True),
                Media.original_name.contains(search, autoescape=True),
            )
        )
    if kind in set(MediaKind):
        statement = statement.where(Media.kind == kind)
    return statement


def _apply(media: Media, prepared: Prepared, now: datetime) -> None:
    media.fingerprint = _fingerprint(prepared.data)
    media.size = len(prepared.data)
    media.width, media.height = prepared.width, prepared.height
    media.variants = " ".join(str(w) for w in prepared.widths)
    media.updated_at = now


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _write(media: Media, prepared: Prepared) -> None:
    folder = media_dir()
    variants = folder / VARIANTS
    variants.mkdir(parents=True, exist_ok=True)
    _atomic(folder / media.name, prepared.data)
    if media.kind == MediaKind.IMAGE:
        # Only pages' pictures go by fingerprint: players and documents keep their address.
        base = f"{media.stem}.{media.fingerprint}"
        _atomic(variants / f"{base}.{media.extension}", prepared.data)
        for suffix, data in prepared.copies.items():
            _atomic(variants / f"{base}.{suffix}", data)


def _atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def thumbnail(media: Media) -> str | None:
    """Return the address of an image's smallest copy, for the desk's grid."""
    if media.kind != MediaKind.IMAGE:
        return None
    base = f"/media/{VARIANTS}/{media.stem}.{media.fingerprint}"
    if media.widths:
        return f"{base}.w{media.widths[0]}.webp"
    return f"{base}.{media.extension}"


def markdown_for(media: Media, language: str) -> str:
    """Return the Markdown the editor's "insert" button places: a picture, a player, a link."""
    texts = media.text(language)
    address = f"/media/{media.name}"
    if media.kind == MediaKind.IMAGE:
        return f"![{_markdown_text(texts.alt if texts else '')}]({address})"
    if media.kind in (MediaKind.AUDIO, MediaKind.VIDEO):
        return f"![{_markdown_text(texts.caption if texts else '')}]({address})"
    size = human_size(media.size)
    label = f"{media.original_name or media.name} ({media.extension.upper()}, {size})"
    return f"[{_markdown_text(label)}]({address})"


def _markdown_text(text: str) -> str:
    return " ".join(text.replace("[", "(").replace("]", ")").split())


_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?/media/(" + NAME + r")>?(?:\s+\"[^\"]*\")?\s*\)")


def missing_alt(session: Session, source: str, language: str) -> list[str]:
    """Return the library pictures a text shows with no alt text, in the Markdown or the
    library in `language` (a post is not published so: alt text is required, per language)."""
    bare = {name for alt, name in _MARKDOWN_IMAGE.findall(source) if not alt.strip()}
    files = Media.catalogue(session, bare)
    return sorted(
        name
        for name, found in files.items()
        if found.kind == MediaKind.IMAGE and not found.words(language)[0].strip()
    )
