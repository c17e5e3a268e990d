"""Backups: one tar.gz archive with a consistent snapshot of the database and the media files.

What the archive holds for the database depends on it:

- SQLite: `database.sqlite3`, a copy made by SQLite's online backup API, which
  reads a consistent state while the site goes on serving (and writing);
- any other database (PostgreSQL): `database/<table>.json`, every row of every
  table, read through SQLAlchemy in one repeatable-read, read-only transaction,
  so that all tables come from the same moment. `--rows` asks for this on SQLite
  too, to move a store from SQLite to PostgreSQL.

`manifest.json` names the schema's migration revision. Restoring into an empty
instance (no rows, no media files) builds the schema at that revision, copies
the rows table by table, then migrates to the current revision. Either kind of
archive restores into either kind of database.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import Integer, MetaData, create_engine, func, select, text
from sqlalchemy.engine import Connection, Engine

from . import db
from .cli import alembic_config, upgrade
from .models import advance_store_state

FORMAT = "blog-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
ROWS_FOLDER = "database"
MEDIA_FOLDER = "media"
# Rows that an empty, migrated instance already has.
BOOKKEEPING_TABLES = frozenset({"alembic_version", "store_state"})


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


def media_dir() -> Path:
    """Return the folder of uploaded files (MEDIA_DIR, by default instance/media)."""
    configured = current_app.config.get("MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def backup(target: Path, rows: bool = False) -> dict:
    """Write an archive of the database and the media folder to `target`; return its manifest."""
    engine = db.engine()
    media = media_dir()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.now(UTC).isoformat(),
        "dialect": engine.dialect.name,
    }
    with tempfile.TemporaryDirectory() as tmp:
        if engine.dialect.name == "sqlite" and not rows:
            snapshot = Path(tmp) / SQLITE_MEMBER
            _sqlite_snapshot(engine, snapshot)
            manifest["database"] = "sqlite"
            with closing(sqlite3.connect(snapshot)) as copy:
                manifest["revision"] = _sqlite_revision(copy)
            tables = {}
        else:
            manifest["database"] = "rows"
            manifest["revision"], tables = _read_rows(engine)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest["media_files"] = len(files)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            if manifest["database"] == "sqlite":
                archive.add(snapshot, arcname=SQLITE_MEMBER)
            for name, table in tables.items():
                _add_bytes(archive, f"{ROWS_FOLDER}/{name}.json", json.dumps(table).encode())
            for path in files:
                relative = path.relative_to(media).as_posix()
                archive.add(path, arcname=f"{MEDIA_FOLDER}/{relative}", recursive=False)
        # The archive appears whole or not at all.
        os.replace(partial, target)
    return manifest


def _sqlite_snapshot(engine: Engine, snapshot: Path) -> None:
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(snapshot)) as copy:
            raw.driver_connection.backup(copy)
    finally:
        raw.close()


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _read_rows(engine: Engine) -> tuple[str | None, dict[str, dict]]:
    """Return the revision and every table's rows, all read in one transaction."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET TRANSACTION READ ONLY"))
            revision = MigrationContext.configure(connection).get_current_revision()
            tables = {}
            for table in _reflect(connection).sorted_tables:
                result = connection.execute(select(table).order_by(*table.primary_key.columns))
                tables[table.name] = {
                    "columns": list(result.keys()),
                    "rows": [[_json_value(v) for v in row] for row in result],
                }
    return revision, tables


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _reflect(connection: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(connection)
    return metadata


# Restoring


def restore(source: Path) -> dict:
    """Bring an archive back into this empty instance; return its manifest."""
    engine, media = db.engine(), media_dir()
    if not tarfile.is_tarfile(source):
        raise BackupError(f"{source} is not a backup archive (tar.gz).")
    with tarfile.open(source, "r:*") as archive, tempfile.TemporaryDirectory() as tmp:
        manifest = _manifest(archive, source)
        files = _media_members(archive)
        _check_empty(engine, media)
        revision = manifest.get("revision")
        scripts = ScriptDirectory.from_config(alembic_config())
        try:
            if revision is not None:
                scripts.get_revision(revision)
        except CommandError:
            raise BackupError(
                f"{source} was made by a newer version (schema revision {revision}); "
                "install that version to restore it."
            ) from None
        _schema_at(engine, revision)
        try:
            if manifest["database"] == "sqlite":
                path = Path(tmp) / SQLITE_MEMBER
                _extract(archive, SQLITE_MEMBER, path)
                snapshot = create_engine(f"sqlite:///{path}")
                try:
                    with snapshot.connect() as connection:
                        tables = _rows_of(connection)
                finally:
                    snapshot.dispose()
            else:
                tables = _json_rows(archive)
            _write_rows(engine, tables)
        finally:
            # Whatever happened, leave the database at the code's own revision.
            upgrade()
        with engine.begin() as connection:
            # Pages and feeds that readers cached before the restore are stale now.
            advance_store_state(connection)
        for member, relative in files:
            target = media.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            _extract(archive, member.name, target)
    return manifest


def _manifest(archive: tarfile.TarFile, source: Path) -> dict:
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, ValueError):
        raise BackupError(f"{source} has no readable {MANIFEST}: it is not a backup.") from None
    if manifest.get("format") != FORMAT or manifest.get("database") not in ("sqlite", "rows"):
        raise BackupError(f"{source} is not a backup of this application.")
    if manifest.get("version", 0) > VERSION:
        raise BackupError(f"{source} was written by a newer version of the backup format.")
    return manifest


def _check_empty(engine: Engine, media: Path) -> None:
    """Refuse to restore over anything: rows in the store, or files in the media folder."""
    with engine.connect() as connection:
        for table in _reflect(connection).sorted_tables:
            if table.name in BOOKKEEPING_TABLES:
                continue
            if connection.scalar(select(func.count()).select_from(table)):
                raise BackupError(
                    f"This instance is not empty (table {table.name} has rows): restore only "
                    "into an empty instance — a new database, or one emptied with "
                    "`flask --app app db downgrade base`."
                )
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(
            f"The media folder {media} is not empty: restore only into an empty instance."
        )


def _schema_at(engine: Engine, revision: str | None) -> None:
    """Bring the empty database's schema to the archive's revision."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == revision:
        return
    if current is not None:
        command.downgrade(alembic_config(), "base")
    if revision is not None:
        upgrade(revision)


def _rows_of(connection: Connection) -> dict[str, dict]:
    tables = {}
    for table in _reflect(connection).sorted_tables:
        result = connection.execute(select(table))
        tables[table.name] = {"columns": list(result.keys()), "rows": [list(r) for r in result]}
    return tables


def _json_rows(archive: tarfile.TarFile) -> dict[str, dict]:
    tables = {}
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if member.isfile() and path.parent.as_posix() == ROWS_FOLDER and path.suffix == ".json":
            tables[path.stem] = json.loads(archive.extractfile(member).read())
    return tables


def _write_rows(engine: Engine, tables: dict[str, dict]) -> None:
    """Copy the archive's rows into the database's tables, in one transaction."""
    with engine.begin() as connection:
        metadata = _reflect(connection)
        for table in metadata.sorted_tables:
            if table.name == "alembic_version" or table.name not in tables:
                continue
            connection.execute(table.delete())
            columns = tables[table.name]["columns"]
            moments = {c.name for c in table.columns if _python_type(c.type) is datetime}
            rows = [
                {
                    name: datetime.fromisoformat(v) if name in moments and isinstance(v, str) else v
                    for name, v in zip(columns, row, strict=True)
                    if name in table.columns
                }
                for row in tables[table.name]["rows"]
            ]
            # A row may point to a later row of its own table (a term's parent): link those after.
            own = [
                fk.parent.name
                for fk in table.foreign_keys
                if fk.column.table is table and fk.parent.name in columns
            ]
            first = [{**row, **dict.fromkeys(own)} for row in rows]
            if first:
                connection.execute(table.insert(), first)
            key = [c.name for c in table.primary_key.columns]
            for row in rows:
                links = {name: row[name] for name in own if row.get(name) is not None}
                if links:
                    where = [table.c[k] == row[k] for k in key]
                    connection.execute(table.update().where(*where).values(**links))
            if engine.dialect.name == "postgresql":
                _reset_sequence(connection, table)


def _python_type(sql_type):
    try:
        return sql_type.python_type
    except NotImplementedError:
        return None


def _reset_sequence(connection: Connection, table) -> None:
    """Move a table's id sequence past the restored ids (PostgreSQL)."""
    key = list(table.primary_key.columns)
    if len(key) != 1 or not isinstance(key[0].type, Integer):
        return
    highest = connection.scalar(select(func.max(key[0])))
    connection.execute(
        text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
        {
            "table": connection.dialect.identifier_preparer.format_table(table),
            "column": key[0].name,
            "value": highest or 1,
            "called": highest is not None,
        },
    )


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    source = archive.extractfile(name)
    if source is None:
        raise BackupError(f"The archive's {name} is not a file.")
    with source, target.open("wb") as f:
        while chunk := source.read(1 << 20):
            f.write(chunk)


def _media_members(archive: tarfile.TarFile) -> list[tuple[tarfile.TarInfo, PurePosixPath]]:
    """Return the archive's media files with their paths in the media folder, never outside."""
    found = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if not member.isfile() or not path.parts or path.parts[0] != MEDIA_FOLDER:
            continue
        relative = PurePosixPath(*path.parts[1:])
        if not relative.parts or relative.is_absolute() or ".." in relative.parts:
            raise BackupError(f"The archive holds a suspicious path: {member.name}")
        found.append((member, relative))
    return found
