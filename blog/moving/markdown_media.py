"""The media of a Markdown folder: files beside the posts, linked relatively.

An export writes the media folder's files under `media/` (the library's fingerprinted copies
are left out: they are made again) and `media.yaml`, the library's descriptions (original
name, alt text, caption, transcript per language); in the posts' sources, every link to
/media/… becomes relative (`../../media/…` from `posts/<language>/<slug>.md`), so that the
folder reads well anywhere. An import turns those links back, brings the library's files
back under their names (mediastore.restore: sizes, copies) and copies the others.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import media_dir
from ..mediaintake import MediaRefused
from ..mediastore import VARIANTS, restore
from ..models import Media

MEDIA_FOLDER = "media"
LIBRARY_FILE = "media.yaml"
# A post file sits two folders down (posts/<language>/<slug>.md).
RELATIVE = "../../media/"
# /media/… on the site, not inside another address (https://example.org/media/…).
_SITE_LINK = re.compile(r"(?<![\w/.:-])/media/(?=[\w-])")
_RELATIVE_LINK = re.compile(r"(?<![\w/.:-])\.\./\.\./media/(?=[\w-])")


def relative_links(source: str) -> str:
    """Return a post's source with its links to /media/ relative to its file in the folder."""
    return _SITE_LINK.sub(RELATIVE, source)


def site_links(source: str) -> str:
    """Return a source read from a folder with its relative media links back on the site."""
    return _RELATIVE_LINK.sub("/media/", source)


def export_media(session: Session, folder: Path) -> int:
    """Copy the media files and describe the library in `folder`; return the files copied."""
    source = media_dir()
    library = list(session.scalars(select(Media).order_by(Media.id)))
    entries = [
        {
            "name": media.name,
            "original_name": media.original_name,
            "texts": {
                t.language: {"alt": t.alt, "caption": t.caption, "transcript": t.transcript}
                for t in media.texts
            },
        }
        for media in library
    ]
    if entries:
        text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)
        (folder / LIBRARY_FILE).write_text(text, encoding="utf-8")
    count = 0
    if not source.is_dir():
        return count
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if relative.parts[0] == VARIANTS or any(p.startswith(".") for p in relative.parts):
            continue
        if path.is_file() and not path.is_symlink():
            target = folder / MEDIA_FOLDER / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            count += 1
    return count


def import_media(session: Session, folder: Path, now: datetime) -> list[str]:
    """Bring a folder's media in: library files uploaded again, others copied if absent.

    Return notes on what could not be brought in. Run before the posts are rendered.
    """
    notes: list[str] = []
    files = folder / MEDIA_FOLDER
    entries = []
    if (folder / LIBRARY_FILE).is_file():
        entries = yaml.safe_load((folder / LIBRARY_FILE).read_text(encoding="utf-8")) or []
    in_library = set()
    for entry in entries:
        name = str(entry.get("name", ""))
        path = files / name
        in_library.add(name)
        if "/" in name or not path.is_file():
            notes.append(f"{LIBRARY_FILE}: {name!r} has no file in {files}.")
            continue
        if session.scalar(select(Media).where(Media.name == name)) is not None:
            continue
        try:
            media = restore(session, path.read_bytes(), name, now)
        except MediaRefused as refusal:
            notes.append(f"{path}: {refusal}")
            continue
        media.original_name = str(entry.get("original_name") or name)[-255:]
        for language, texts in (entry.get("texts") or {}).items():
            media.set_text(
                str(language),
                str(texts.get("alt", "")),
                str(texts.get("caption", "")),
                str(texts.get("transcript", "")),
            )
    if files.is_dir():
        target = media_dir()
        for path in sorted(files.rglob("*")):
            relative = path.relative_to(files)
            if relative.as_posix() in in_library or not path.is_file() or path.is_symlink():
                continue
            if any(p.startswith(".") for p in relative.parts) or relative.parts[0] == VARIANTS:
                continue
            destination = target / relative
            if not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
    session.flush()
    return notes
