"""The media library's files: upload, replace, delete, and where each is used.

A file is checked from its content (sniffing.py, then Pillow for images), never from its
name, and refused with a reason in the author's language (MediaRefused). It is stored under
a safe, unique name at /media/<name>, an address that survives a replacement; pages link to
fingerprinted copies under /media/v/ (<stem>.<fingerprint>[.w<width>].<extension>), which
never change and are cached for ever. An image is stored without its metadata (EXIF: the
place a photo was taken) and turned upright; its resized copies (MEDIA_WIDTHS, each as WebP
and in the original's format) and its 1200×630 sharing card are made once, here.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import sniffing
from .config import media_dir
from .mediahtml import CARD_SIZE, NAME, card_path
from .models import Media, MediaKind, Post
from .slugs import slugify

VARIANTS = "v"
# Pillow refuses images past twice this many pixels (decompression bombs): 60 megapixels.
Image.MAX_IMAGE_PIXELS = 30_000_000
_PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


class MediaRefused(ValueError):
    """A file the library does not take; the message says why, in the author's language."""


class MediaInUse(ValueError):
    """A file that posts still show: deleting it would break them."""

    def __init__(self, posts: list[Post]):
        super().__init__(_("Posts that use this file: %(count)d.", count=len(posts)))
        self.posts = posts


def human_size(size: int) -> str:
    """Return a size for people: "830 KB", "2.4 MB"."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def check(data: bytes, filename: str) -> sniffing.FileType:
    """Return the type of an upload, or raise MediaRefused saying why it is not taken."""
    limit = current_app.config["MEDIA_MAX_SIZE"]
    if len(data) > limit:
        raise MediaRefused(
            _(
                "The file is %(size)s; the limit is %(limit)s.",
                size=human_size(len(data)),
                limit=human_size(limit),
            )
        )
    if not data:
        raise MediaRefused(_("The file is empty."))
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    if extension in sniffing.ACTIVE or sniffing.looks_active(data):
        raise MediaRefused(
            _(
                "Web pages, SVG and XML files are refused: they can carry scripts. "
                "Send an image as PNG, JPEG or WebP."
            )
        )
    found = sniffing.sniff(data)
    if found is None:
        raise MediaRefused(
            _(
                "This file's content is not of a type the library takes (images: JPEG, PNG, "
                "WebP, GIF; documents: PDF, ODP, PPTX, ODT, DOCX, EPUB; audio: MP3, Ogg, M4A; "
                "video: MP4, WebM)."
            )
        )
    if extension not in found.extensions:
        raise MediaRefused(
            _(
                "The file's name ends in “.%(extension)s” but its content is %(type)s: "
                "rename it with “.%(expected)s” if that is what it is.",
                extension=extension,
                type=found.label,
                expected=found.extensions[0],
            )
        )
    return found


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
    prepared = _prepare(data, found)
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
    prepared = _prepare(data, found)
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
    prepared = _prepare(data, found)
    if found.kind != MediaKind.IMAGE or not _has_metadata(data):
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


def _has_metadata(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif()) or any(k in image.info for k in ("exif", "xmp", "comment"))


def replace(session: Session, media: Media, data: bytes, filename: str, now: datetime) -> None:
    """Put new content behind a file's address; the posts showing it are rendered again."""
    found = check_replacement(media, data, filename)
    prepared = _prepare(data, found)
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


class _Prepared:
    """An upload made ready: the bytes to store, its dimensions and its copies by file suffix."""

    def __init__(self, data: bytes, width: int | None = None, height: int | None = None):
        self.data, self.width, self.height = data, width, height
        self.copies: dict[str, bytes] = {}
        self.widths: list[int] = []


def _prepare(data: bytes, found: sniffing.FileType) -> _Prepared:
    if found.kind != MediaKind.IMAGE:
        return _Prepared(data)
    image = _open(data, found)
    extension = found.extensions[0]
    if found.mime_type == "image/gif":
        # Perhaps animated, and GIF has no EXIF: kept as sent, without resized copies.
        prepared = _Prepared(data, image.width, image.height)
    else:
        image = ImageOps.exif_transpose(image)
        prepared = _Prepared(_encode(image, found.mime_type), image.width, image.height)
        prepared.copies["webp"] = _encode(image, "image/webp")
        for width in current_app.config["MEDIA_WIDTHS"]:
            if width < image.width:
                smaller = image.resize(
                    (width, max(1, round(image.height * width / image.width))),
                    Image.Resampling.LANCZOS,
                )
                prepared.copies[f"w{width}.{extension}"] = _encode(smaller, found.mime_type)
                prepared.copies[f"w{width}.webp"] = _encode(smaller, "image/webp")
                prepared.widths.append(width)
    card_image = ImageOps.fit(_rgb(image), CARD_SIZE, Image.Resampling.LANCZOS)
    prepared.copies["card.jpg"] = _encode(card_image, "image/jpeg")
    return prepared


def _open(data: bytes, found: sniffing.FileType) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != _PILLOW_FORMATS[found.mime_type]:
                raise MediaRefused(_("This image is damaged or not what it claims to be."))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRefused(
            _("This image has too many pixels; send one of at most 30 megapixels.")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise MediaRefused(_("This image is damaged or not what it claims to be.")) from None
    return image


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _encode(image: Image.Image, mime_type: str) -> bytes:
    """Return the image encoded again, with no metadata: no EXIF, no XMP, no comments."""
    out = io.BytesIO()
    if mime_type == "image/jpeg":
        _rgb(image).save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif mime_type == "image/png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=82, method=4)
    return out.getvalue()


def _apply(media: Media, prepared: _Prepared, now: datetime) -> None:
    media.fingerprint = _fingerprint(prepared.data)
    media.size = len(prepared.data)
    media.width, media.height = prepared.width, prepared.height
    media.variants = " ".join(str(w) for w in prepared.widths)
    media.updated_at = now


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _write(media: Media, prepared: _Prepared) -> None:
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
