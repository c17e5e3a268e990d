"""The files the press kit and the chapters offer: found in the media folder, described, zipped.

An entry names its file by its name in the media folder (/media/<name>); what readers are told
of it (type, size) is read from the file itself, so it is never out of date.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image

from ..config import media_dir

# What each extension is, for readers (the type the press kit shows).
KINDS = {
    "pdf": ("application/pdf", "PDF"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "ODP"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PPTX",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "ODT"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "epub": ("application/epub+zip", "EPUB"),
    "jpg": ("image/jpeg", "JPEG"),
    "jpeg": ("image/jpeg", "JPEG"),
    "png": ("image/png", "PNG"),
    "webp": ("image/webp", "WebP"),
    "gif": ("image/gif", "GIF"),
    "mp4": ("video/mp4", "MP4"),
    "webm": ("video/webm", "WebM"),
    "mp3": ("audio/mpeg", "MP3"),
    "ogg": ("audio/ogg", "OGG"),
    "m4a": ("audio/mp4", "M4A"),
    "wav": ("audio/wav", "WAV"),
}
SLIDE_EXTENSIONS = frozenset({"pdf", "odp", "pptx"})


@dataclass(frozen=True)
class FileInfo:
    """A file of the media folder as a page describes it."""

    name: str
    path: Path
    size: int
    mimetype: str
    label: str

    @property
    def url(self) -> str:
        return f"/media/{self.name}"

    @property
    def extension(self) -> str:
        return self.name.rpartition(".")[2].lower()

    @property
    def dimensions(self) -> tuple[int, int] | None:
        """Return a picture's width and height (read from its header), else None."""
        if not self.mimetype.startswith("image/"):
            return None
        try:
            with Image.open(self.path) as image:
                return image.size
        except (OSError, ValueError, Image.DecompressionBombError):
            return None


def find(name: str) -> FileInfo | None:
    """Return the file `name` of the media folder, or None: missing, hidden, or outside it."""
    parts = name.split("/")
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or any(not part or part.startswith(".") for part in parts)
    ):
        return None
    folder = os.path.realpath(media_dir())
    real = os.path.realpath(os.path.join(folder, *parts))
    if os.path.commonpath([real, folder]) != folder or not os.path.isfile(real):
        return None
    extension = name.rpartition(".")[2].lower()
    mimetype, label = KINDS.get(extension, ("application/octet-stream", extension.upper()))
    return FileInfo(name, Path(real), os.path.getsize(real), mimetype, label)


def size_label(size: int) -> str:
    """Return a file's size for readers, in the page's language ("1,2 Mo", "350 ko")."""
    if size < 1000 * 1000:
        return _("%(size)s KB", size=format_decimal(max(1, round(size / 1000))))
    return _("%(size)s MB", size=format_decimal(round(size / 1000 / 1000, 1)))


def archive(files: list[FileInfo]) -> bytes:
    """Return a ZIP of `files`, each under its own name (the first of two same names wins)."""
    buffer = io.BytesIO()
    seen = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for info in files:
            arcname = info.name.rpartition("/")[2]
            if arcname in seen:
                continue
            seen.add(arcname)
            # Fixed times: the same files give the same archive (static export, ETags).
            entry = zipfile.ZipInfo(arcname, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(entry, info.path.read_bytes())
    return buffer.getvalue()
