"""A backup archive checked whole before anything is touched: `verify`.

Every member is read and hashed, and compared with the manifest's list (version 2 onwards);
the gzip stream is read to its very end, the rows' JSON parsed, the format version checked,
and no path may lead outside the media folder. restore.py restores only an archive that
passes (the archive's format is described in backup.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from .backup import (
    FORMAT,
    MANIFEST,
    MEDIA_FOLDER,
    READABLE_VERSIONS,
    ROWS_FOLDER,
    SQLITE_MEMBER,
    VERSION,
    BackupError,
)


def verify(source: Path) -> dict:
    """Read the whole archive and check every part of it; return its manifest.

    Raise BackupError with a one-line reason for anything that is not a whole, readable backup:
    not a tar.gz, a truncated or damaged gzip stream, a member that does not match its
    checksum, a missing or unlisted member, broken JSON, an unknown format version.
    """
    try:
        with source.open("rb") as raw:
            magic = raw.read(2)
    except OSError as error:
        raise BackupError(f"{source} cannot be read: {error.strerror or error}.") from None
    if magic != b"\x1f\x8b":
        raise BackupError(f"{source} is not a backup archive (tar.gz).")
    try:
        with gzip.open(source, "rb") as stream:
            found, manifest_bytes, tables = _read_members(stream, source)
            # tarfile stops at the end-of-archive blocks: read the gzip stream to its very end,
            # so that its CRC and length are checked too.
            while stream.read(1 << 20):
                pass
    except EOFError:
        raise BackupError(f"{source} is truncated: the archive ends too early.") from None
    except tarfile.ReadError as error:
        if "unexpected end" in str(error):
            raise BackupError(f"{source} is truncated: the archive ends too early.") from None
        raise BackupError(f"{source} is damaged: its tar stream is unreadable ({error}).") from None
    except (gzip.BadGzipFile, zlib.error, tarfile.TarError, OSError) as error:
        raise BackupError(f"{source} is damaged: {str(error).rstrip('.')}.") from None
    manifest = _manifest(manifest_bytes, source)
    _check_members(manifest, found, source)
    for name, data in tables.items():
        try:
            table = json.loads(data)
        except ValueError:
            raise BackupError(f"{source} is damaged: {name} is not valid JSON.") from None
        if not _table_shape(table):
            raise BackupError(f"{source} is damaged: {name} is not a table of rows.")
    if manifest["database"] == "sqlite" and SQLITE_MEMBER not in found:
        raise BackupError(f"{source} is damaged: it has no {SQLITE_MEMBER}.")
    return manifest


def _read_members(stream, source: Path):
    """Hash every member of the tar stream; return them, the manifest and the rows' JSON bytes."""
    found: dict[str, dict] = {}
    manifest_bytes = None
    tables: dict[str, bytes] = {}
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            if member.isdir():
                continue
            if not member.isfile():
                raise BackupError(f"{source} holds {member.name}, which is not a file.")
            if member.name in found or (member.name == MANIFEST and manifest_bytes is not None):
                raise BackupError(f"{source} is damaged: it holds {member.name} twice.")
            safe_media_path(member.name)
            data = archive.extractfile(member)
            digest, size, kept = hashlib.sha256(), 0, []
            keep = member.name == MANIFEST or _is_rows_member(member.name)
            while chunk := data.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                if keep:
                    kept.append(chunk)
            if member.name == MANIFEST:
                manifest_bytes = b"".join(kept)
                continue
            found[member.name] = {"sha256": digest.hexdigest(), "size": size}
            if keep:
                tables[member.name] = b"".join(kept)
    return found, manifest_bytes, tables


def _is_rows_member(name: str) -> bool:
    path = PurePosixPath(name)
    return path.parent.as_posix() == ROWS_FOLDER and path.suffix == ".json"


def _table_shape(table) -> bool:
    return (
        isinstance(table, dict)
        and isinstance(table.get("columns"), list)
        and isinstance(table.get("rows"), list)
        and all(isinstance(row, list) for row in table["rows"])
    )


def _manifest(data: bytes | None, source: Path) -> dict:
    try:
        manifest = json.loads(data) if data is not None else None
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict):
        raise BackupError(f"{source} has no readable {MANIFEST}: it is not a backup.")
    if manifest.get("format") != FORMAT or manifest.get("database") not in ("sqlite", "rows"):
        raise BackupError(f"{source} is not a backup of this application.")
    version = manifest.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise BackupError(
            f"{source} was written by a newer version of the backup format (version {version}; "
            f"this version reads {READABLE_VERSIONS[0]} to {VERSION})."
        )
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise BackupError(f"{source} has an unknown backup format version ({version!r}).")
    return manifest


def _check_members(manifest: dict, found: dict[str, dict], source: Path) -> None:
    """Compare the members read with the manifest's list (version 2 onwards)."""
    if manifest["version"] < 2:
        return
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        raise BackupError(f"{source} is damaged: its {MANIFEST} lists no members.")
    for name, expected in listed.items():
        if name not in found:
            raise BackupError(f"{source} is damaged: {name} is missing.")
        if not isinstance(expected, dict) or any(
            expected.get(key) != found[name][key] for key in ("sha256", "size")
        ):
            raise BackupError(f"{source} is damaged: {name} does not match its checksum.")
    for name in found:
        if name not in listed:
            raise BackupError(f"{source} is damaged: it holds {name}, which its manifest omits.")


def safe_media_path(name: str) -> PurePosixPath | None:
    """Return a media member's path inside the media folder (None: not media); never outside."""
    path = PurePosixPath(name)
    if not path.parts or path.parts[0] != MEDIA_FOLDER:
        return None
    relative = PurePosixPath(*path.parts[1:])
    if not relative.parts or relative.is_absolute() or ".." in relative.parts:
        raise BackupError(f"The archive holds a suspicious path: {name}")
    return relative
