"""Files of a copy of WordPress's `wp-content/uploads` folder brought into the media store.

The folder is the author's copy of their site, but its contents are still data from outside:
a path read in an export never leaves the folder it names (no `..`, no absolute path, no
symbolic link that points elsewhere), and a file is only ever written inside the media folder.
Links to that folder in a post's content are moved to the files' new addresses here too.
"""

from __future__ import annotations

import filecmp
import html
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

# Imported files live under /media/uploads/, in WordPress's own year/month layout.
MEDIA_FOLDER = "uploads"
# A link in a post's HTML: what comes before its address, and the quote that opens it.
URL_ATTRIBUTE = re.compile(r"""(?P<before>\b(?:href|src|poster)\s*=\s*)(?P<quote>["']?)""")


class Uploads:
    """Copy the files an import references from an uploads folder into the media folder."""

    def __init__(self, folder: Path, media: Path):
        self.folder, self.media = Path(folder), Path(media)
        self.copied: dict[str, str] = {}  # path under uploads → its /media/ address
        self.missing: list[str] = []
        self.refused: list[str] = []
        self._created: list[Path] = []

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
        target = self._target(parts, Path(source))
        if target is None:
            self.refused.append(path)
            return None
        relative = target.relative_to(self.media).as_posix()
        self.copied[path] = "/media/" + quote(relative)
        return self.copied[path]

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
    prefixes = _upload_prefixes(base)
    out, position = [], 0
    for match in URL_ATTRIBUTE.finditer(text):
        start = match.end()
        mark = match.group("quote")
        end = text.find(mark, start) if mark else _unquoted_end(text, start)
        if end == -1 or start < position:
            continue
        url = text[start:end]
        decoded = html.unescape(url)
        path = next((decoded[len(p) :] for p in prefixes if decoded.startswith(p)), None)
        if path is None:
            continue
        path = unquote(urlsplit(path).path)
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


def _upload_prefixes(base: str) -> list[str]:
    """Return the addresses under which the WordPress site served its uploads folder."""
    parts = urlsplit(base.rstrip("/"))
    host, path = parts.netloc, parts.path
    prefixes = [f"{scheme}://{host}{path}/wp-content/uploads/" for scheme in ("https", "http")]
    return [*prefixes, f"//{host}{path}/wp-content/uploads/", f"{path}/wp-content/uploads/"]


def _unquoted_end(text: str, start: int) -> int:
    match = re.compile(r"[\s>]").search(text, start)
    return match.start() if match else len(text)
