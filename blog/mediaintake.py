"""A file taken into the media library: checked, refused with a reason, or made ready.

A file is checked from its content (sniffing.py, then Pillow for images), never from its
name, and refused with a reason in the author's language (MediaRefused). An image is made
ready without its metadata (EXIF: the place a photo was taken) and turned upright; its
resized copies (MEDIA_WIDTHS, each as WebP and in the original's format) and its 1200×630
sharing card are made once, here; mediastore.py stores them.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePosixPath

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import sniffing
from .mediahtml import CARD_SIZE
from .models import MediaKind

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


def has_metadata(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif()) or any(k in image.info for k in ("exif", "xmp", "comment"))


class Prepared:
    """An upload made ready: the bytes to store, its dimensions and its copies by file suffix."""

    def __init__(self, data: bytes, width: int | None = None, height: int | None = None):
        self.data, self.width, self.height = data, width, height
        self.copies: dict[str, bytes] = {}
        self.widths: list[int] = []


def prepare(data: bytes, found: sniffing.FileType) -> Prepared:
    if found.kind != MediaKind.IMAGE:
        return Prepared(data)
    image = _open(data, found)
    extension = found.extensions[0]
    if found.mime_type == "image/gif":
        # Perhaps animated, and GIF has no EXIF: kept as sent, without resized copies.
        prepared = Prepared(data, image.width, image.height)
    else:
        image = ImageOps.exif_transpose(image)
        prepared = Prepared(_encode(image, found.mime_type), image.width, image.height)
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
