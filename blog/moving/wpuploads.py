"""Files of a copy of WordPress's `wp-content/uploads` folder brought into the media store.

The folder is the author's copy of their site, but its contents are still data from outside:
a path read in an export never leaves the folder it names (no `..`, no absolute path, no
symbolic link that points elsewhere), and a file is only ever written inside the media folder.
Links to that folder in a post's content are moved to the files' new addresses here too.

A file the media library takes (pictures, documents, audio, video) becomes a library row, as
an upload would (mediastore.adopt: checked from its content, cleaned, measured, its resized
copies made), at /media/<name>; WordPress's own resized copies (`photo-300x200.jpg`) lead
to their original when the folder has it, since the library makes its own copies. Any
other file is copied as it is under /media/uploads/, in WordPress's year/month layout.
"""

from __future__ import annotations

import filecmp
import html
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from flask import current_app
from sqlalchemy.orm import Session

from ..mediaintake import MediaRefused
from ..mediastore import adopt, files_of
from ..models import Media

# Imported files live under /media/uploads/, in WordPress's own year/month layout.
MEDIA_FOLDER = "uploads"
# A link in a post's HTML: what comes before its address, and the quote that opens it.
URL_ATTRIBUTE = re.compile(r"""(?P<before>\b(?:href|src|poster)\s*=\s*)(?P<quote>["']?)""")
# A copy WordPress made of a picture: a size (photo-300x200.jpg) or a scaled-down original.
_RESIZED = re.compile(
    r"^(?P<stem>.+?)(?:-\d{1,5}x\d{1,5}|-scaled)(?P<extension>\.[A-Za-z0-9]{2,5})$"
)


class Uploads:
    """Copy the files an import references from an uploads folder into the media folder."""

    def __init__(self, folder: Path, media: Path):
        self.folder, self.media = Path(folder), Path(media)
        self.copied: dict[str, str] = {}  # path under uploads → its /media/ address
        self.missing: list[str] = []
        self.refused: list[str] = []
        self._created: list[Path] = []
        # The library rows of the files this import placed (see into_library), by uploads path.
        self.library: dict[str, Media] = {}
        self._session: Session | None = None
        self._now: datetime | None = None

    def into_library(self, session: Session, now: datetime) -> None:
        """Make the files the library takes rows of the library, in `session` (see above)."""
        self._session, self._now = session, now

    def library_file(self, address: str) -> Media | None:
        """Return the library row a /media/ address this import gave leads to, if any."""
        return next((m for m in self.library.values() if f"/media/{m.name}" == address), None)

    def place(self, path: str) -> str | None:
        """Return the /media/ address of an uploaded file, copied if need be (None: not here)."""
        if path in self.copied:
            return self.copied[path]
        if path in self.missing or path in self.refused:
            return None
        parts = path.split("/")
        # Backslashes and NUL are separators or terminators somewhere; dot files are private.
        if (
            "\\" in path
            or "\x00" in path
            or any(not part or part.startswith(".") or ":" in part for part in parts)
        ):
            self.refused.append(path)
            return None
        source = os.path.realpath(self.folder.joinpath(*parts))
        if not _inside(source, self.folder):
            self.refused.append(path)  # a symbolic link out of the folder
            return None
        if not os.path.isfile(source):
            self.missing.append(path)
            return None
        if self._session is not None:
            address = self._adopt(parts, Path(source))
            if address is not None:
                self.copied[path] = address
                return address
        target = self._target(parts, Path(source))
        if target is None:
            self.refused.append(path)
            return None
        relative = target.relative_to(self.media).as_posix()
        self.copied[path] = "/media/" + quote(relative)
        return self.copied[path]

    def _adopt(self, parts: list[str], source: Path) -> str | None:
        """Return the library address of a file the library takes (None: it does not)."""
        resized = _RESIZED.match(parts[-1])
        if resized is not None:
            original = [*parts[:-1], resized["stem"] + resized["extension"]]
            real = os.path.realpath(self.folder.joinpath(*original))
            if _inside(real, self.folder) and os.path.isfile(real):
                parts, source = original, Path(real)
        origin = "/".join(parts)
        if origin in self.library:
            return f"/media/{self.library[origin].name}"
        if source.stat().st_size > current_app.config["MEDIA_MAX_SIZE"]:
            return None
        try:
            media, made = adopt(self._session, source.read_bytes(), origin, self._now)
        except MediaRefused:
            return None
        self.library[origin] = media
        if made:
            self._created += files_of(media)
        return f"/media/{media.name}"

    def _target(self, parts: list[str], source: Path) -> Path | None:
        """Copy `source` into the media folder and return where (the same file is reused)."""
        target = self.media.joinpath(MEDIA_FOLDER, *parts)
        stem, suffix, n = target.stem, target.suffix, 1
        while target.exists() or target.is_symlink():
            if target.is_file() and not target.is_symlink() and filecmp.cmp(source, target, False):
                return target
            n += 1
            target = target.with_name(f"{stem}-{n}{suffix}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not _inside(os.path.realpath(target.parent), self.media):
            return None  # a symbolic link inside the media folder that points out of it
        shutil.copyfile(source, target)
        self._created.append(target)
        return target

    def undo(self) -> None:
        """Remove the files this import copied (the import failed: nothing of it stays)."""
        for path in reversed(self._created):
            path.unlink(missing_ok=True)
        self._created.clear()
        self.library.clear()
        self.copied.clear()


def _inside(real: str, folder: Path) -> bool:
    root = os.path.realpath(folder)
    return os.path.commonpath([real, root]) == root


def rewrite_uploads(text, base: str, place, left: list[str]) -> str:
    """Return the text with links to the WordPress uploads folder moved to their new address.

    `place` gives a path its new address (None: it stays); `left` receives the links that stay.
    """
    if not base:
        return text
    out, position = [], 0
    for match in URL_ATTRIBUTE.finditer(text):
        start = match.end()
        mark = match.group("quote")
        end = text.find(mark, start) if mark else _unquoted_end(text, start)
        if end == -1 or start < position:
            continue
        url = text[start:end]
        decoded = html.unescape(url)
        path = upload_path(url, base)
        if path is None:
            continue
        new = place(path) if place is not None else None
        out.append(text[position:start])
        if new is None:
            left.append(decoded)
            out.append(url)
        else:
            out.append(html.escape(new))
        position = end
    out.append(text[position:])
    return "".join(out)


def upload_path(url: str, base: str) -> str | None:
    """Return the path under the uploads folder of an address of the WordPress site, if any."""
    if not base:
        return None
    decoded = html.unescape(url)
    path = next((decoded[len(p) :] for p in _upload_prefixes(base) if decoded.startswith(p)), None)
    return unquote(urlsplit(path).path) if path is not None else None


def _upload_prefixes(base: str) -> list[str]:
    """Return the addresses under which the WordPress site served its uploads folder."""
    parts = urlsplit(base.rstrip("/"))
    host, path = parts.netloc, parts.path
    prefixes = [f"{scheme}://{host}{path}/wp-content/uploads/" for scheme in ("https", "http")]
    return [*prefixes, f"//{host}{path}/wp-content/uploads/", f"{path}/wp-content/uploads/"]


def _unquoted_end(text: str, start: int) -> int:
    match = re.compile(r"[\s>]").search(text, start)
    return match.start() if match else len(text)
