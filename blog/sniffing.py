"""A file's type from its content (magic bytes), never from its name.

Small on purpose: the types the media library takes, each with the extensions a name of that
type may carry. Images are only recognised here; mediaintake.py then opens them with Pillow,
which is the real check. Anything else — HTML, SVG, scripts, archives of another kind — is
not a type the library takes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    mime_type: str
    kind: str  # a models.MediaKind
    # The first is the one a stored name gets.
    extensions: tuple[str, ...]
    label: str


JPEG = FileType("image/jpeg", "image", ("jpg", "jpeg", "jpe"), "JPEG")
PNG = FileType("image/png", "image", ("png",), "PNG")
GIF = FileType("image/gif", "image", ("gif",), "GIF")
WEBP = FileType("image/webp", "image", ("webp",), "WebP")
PDF = FileType("application/pdf", "document", ("pdf",), "PDF")
ODP = FileType("application/vnd.oasis.opendocument.presentation", "document", ("odp",), "ODP")
ODT = FileType("application/vnd.oasis.opendocument.text", "document", ("odt",), "ODT")
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "document",
    ("pptx",),
    "PPTX",
)
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "document",
    ("docx",),
    "DOCX",
)
EPUB = FileType("application/epub+zip", "document", ("epub",), "EPUB")
MP3 = FileType("audio/mpeg", "audio", ("mp3",), "MP3")
OGG = FileType("audio/ogg", "audio", ("ogg", "oga", "opus"), "Ogg")
M4A = FileType("audio/mp4", "audio", ("m4a",), "M4A")
MP4 = FileType("video/mp4", "video", ("mp4", "m4v"), "MP4")
WEBM = FileType("video/webm", "video", ("webm",), "WebM")

TYPES = (JPEG, PNG, GIF, WEBP, PDF, ODP, ODT, PPTX, DOCX, EPUB, MP3, OGG, M4A, MP4, WEBM)
BY_MIME = {t.mime_type: t for t in TYPES}
# Extensions whose files could run in a browser, whatever their content: never accepted.
ACTIVE = frozenset({"svg", "svgz", "html", "htm", "xhtml", "xml", "js", "mjs", "xht", "shtml"})

_ODF = {
    b"application/vnd.oasis.opendocument.presentation": ODP,
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/epub+zip": EPUB,
}


def sniff(data: bytes) -> FileType | None:
    """Return the type of a file's content among the library's, or None."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zipped(data)
    if head.startswith(b"OggS"):
        return OGG
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return M4A if brand in (b"M4A ", b"M4B ") else MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in data[:4096] else None
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3
    return None


def _zipped(data: bytes) -> FileType | None:
    """Tell the ZIP-based documents apart: OpenDocument and EPUB name their type first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return _ODF.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                if "ppt/presentation.xml" in names:
                    return PPTX
                if "word/document.xml" in names:
                    return DOCX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    return None


def looks_active(data: bytes) -> bool:
    """Return whether content looks like markup a browser could run (HTML, SVG, XML)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<", b"\xfe\xff", b"\xff\xfe")) or b"<svg" in head
