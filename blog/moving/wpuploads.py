"""Files of a copy of WordPress's `wp-content/uploads` folder brought into the media store.

The folder is the author's copy of their site, but its contents are still data from outside:
a path read in an export never leaves the folder it names (no `..`, no absolute path, no
symbolic link that points elsewhere), and a file is only ever written inside the media folder.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path
from urllib.parse import quote

# Imported files live under /media/uploads/, in WordPress's own year/month layout.
MEDIA_FOLDER = "uploads"


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
