"""Backups: one tar.gz archive with a consistent snapshot of the database and the media files.

What the archive holds for the database depends on it:

- SQLite: `database.sqlite3`, a copy made by SQLite's online backup API, which
  reads a consistent state while the site goes on serving (and writing);
- any other database (PostgreSQL): `database/<table>.json`, every row of every
  table, read through SQLAlchemy in one repeatable-read, read-only transaction,
  so that all tables come from the same moment. `--rows` asks for this on SQLite
  too, to move a store from SQLite to PostgreSQL.

`manifest.json` (the first member) names the schema's migration revision and gives the size
and SHA-256 of every other member. Before anything is touched, `verify` reads the whole
archive: the gzip stream to its end (so its CRC and length are checked), every member against
its checksum, every JSON part, the format version. Restoring into an empty instance (no rows,
no media files) then builds the schema at the archive's revision, copies the rows table by
table in one transaction, migrates to the current revision, and only then moves the media
files (unpacked beforehand beside the media folder) into place: a restore that fails leaves the
instance as it was. Either kind of archive restores into either kind of database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

from alembic.migration import MigrationContext
from sqlalchemy import ForeignKeyConstraint, MetaData, Table, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import sort_tables_and_constraints

from .. import db, search
from ..config import media_dir

FORMAT = "blog-backup"
# 2: the manifest lists every member's size and SHA-256. Version 1 archives (no checksums)
# still restore, after their gzip stream and JSON parts are checked.
VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
ROWS_FOLDER = "database"
MEDIA_FOLDER = "media"
# Rows that an empty, migrated instance already has.
BOOKKEEPING_TABLES = frozenset({"alembic_version", "store_state"})


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


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
        # Every member's bytes, as (name, path on disk) or (name, bytes), in archive order.
        parts: list[tuple[str, Path | bytes]] = []
        if manifest["database"] == "sqlite":
            parts.append((SQLITE_MEMBER, snapshot))
        for name, table in tables.items():
            parts.append((f"{ROWS_FOLDER}/{name}.json", json.dumps(table).encode()))
        for path in files:
            parts.append((f"{MEDIA_FOLDER}/{path.relative_to(media).as_posix()}", path))
        # A media file changed between its checksum and its copy would fail verification:
        # copy each one once, hashing the very bytes that go into the archive.
        staged = Path(tmp) / "staged"
        staged.mkdir()
        members = {}
        for n, (name, content) in enumerate(parts):
            if isinstance(content, Path):
                copy = staged / str(n)
                shutil.copyfile(content, copy)
                parts[n] = (name, copy)
                digest, size = _file_digest(copy)
            else:
                digest, size = hashlib.sha256(content).hexdigest(), len(content)
            members[name] = {"sha256": digest, "size": size}
        manifest["members"] = members
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            for name, content in parts:
                if isinstance(content, Path):
                    archive.add(content, arcname=name, recursive=False)
                else:
                    _add_bytes(archive, name, content)
        # The archive appears whole or not at all.
        os.replace(partial, target)
    return manifest


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


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
            for table in tables_in_order(reflect_tables(connection))[0]:
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


def reflect_tables(connection: Connection) -> MetaData:
    metadata = MetaData()
    # The search index is made from the posts (flask reindex), not kept: restore rebuilds it.
    metadata.reflect(connection, only=lambda name, _metadata: not search.is_index_table(name))
    return metadata


def tables_in_order(metadata: MetaData) -> tuple[list[Table], set[ForeignKeyConstraint]]:
    """Return the tables, each after those it points to, and the foreign keys left out to
    break cycles (a post points to the revision it was translated from, a revision to its
    post): a restore writes those columns once every table is in."""
    tables = list(metadata.tables.values())
    # The tables caught in a cycle, then the foreign keys that can wait among them: nullable,
    # to another table (a table's links to itself are written after its rows anyway).
    caught = {
        fk.table
        for table, constraints in sort_tables_and_constraints(tables)
        if table is None
        for fk in constraints
    }

    def can_wait(fk: ForeignKeyConstraint) -> bool | None:
        waits = (
            fk.table in caught
            and fk.referred_table in caught
            and fk.referred_table is not fk.table
            and all(column.nullable for column in fk.columns)
        )
        return True if waits else None

    order, cyclic = [], set()
    for table, constraints in sort_tables_and_constraints(tables, filter_fn=can_wait):
        if table is None:
            cyclic.update(constraints)
        else:
            order.append(table)
    return order, cyclic


# Checking and restoring
