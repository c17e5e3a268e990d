"""Reading a backup back: `restore` brings an archive into an empty instance, once `verify`
(backup_check.py) has checked it whole (the archive's format is described in backup.py).

Restoring builds the schema at the archive's revision, copies the rows table by table in one
transaction, migrates to the current revision, and only then moves the media files (unpacked
beforehand beside the media folder) into place: a restore that fails leaves the instance as it
was. Either kind of archive restores into either kind of database.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from contextlib import closing
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Integer, create_engine, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from .. import db, search
from ..config import media_dir
from ..rules import advance_store_state
from ..schema import alembic_config, upgrade
from .backup import (
    BOOKKEEPING_TABLES,
    ROWS_FOLDER,
    SQLITE_MEMBER,
    BackupError,
    reflect_tables,
    tables_in_order,
)
from .backup_check import safe_media_path, verify


def restore(source: Path) -> dict:
    """Bring an archive back into this empty instance; return its manifest.

    The archive is verified whole first; if anything fails afterwards, the database is left
    empty at the current revision and the media folder untouched.
    """
    engine, media = db.engine(), media_dir()
    manifest = verify(source)
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
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # Unpacked beside the media folder (same file system), moved in once the rows are in.
        staging = Path(tempfile.mkdtemp(prefix=f".{media.name}-restoring-", dir=media.parent))
        try:
            with tarfile.open(source, "r:gz") as archive:
                files = _media_members(archive)
                for member, relative in files:
                    target = staging.joinpath(*relative.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _extract(archive, member.name, target)
                if manifest["database"] == "sqlite":
                    tables = _sqlite_rows(archive, Path(tmp) / SQLITE_MEMBER, source)
                else:
                    tables = _json_rows(archive)
            _schema_at(engine, revision)
            try:
                _write_rows(engine, tables)
            except DBAPIError as error:
                reason = str(error.orig).strip().splitlines()[0]
                raise BackupError(
                    f"{source} cannot be restored: its rows break a rule of the store "
                    f"({reason}). Nothing was restored."
                ) from None
            except (ValueError, TypeError, KeyError):
                raise BackupError(
                    f"{source} cannot be restored: its rows do not fit the schema. "
                    "Nothing was restored."
                ) from None
            finally:
                # Whatever happened, leave the database at the code's own revision.
                upgrade()
            with engine.begin() as connection:
                # Pages and feeds that readers cached before the restore are stale now.
                advance_store_state(connection)
                # The search index is not in a backup: it is made from the restored posts.
                search.rebuild(connection)
            for _member, relative in files:
                target = media.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging.joinpath(*relative.parts), target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _sqlite_rows(archive: tarfile.TarFile, path: Path, source: Path) -> dict[str, dict]:
    """Return every row of the archive's SQLite snapshot, after SQLite checked the file."""
    _extract(archive, SQLITE_MEMBER, path)
    try:
        with closing(sqlite3.connect(path)) as check:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        verdict = str(error)
    if verdict != "ok":
        raise BackupError(f"{source} is damaged: its database fails SQLite's check ({verdict}).")
    snapshot = create_engine(f"sqlite:///{path}")
    try:
        with snapshot.connect() as connection:
            return _rows_of(connection)
    except DBAPIError as error:
        raise BackupError(
            f"{source} is damaged: its database cannot be read ({error.orig})."
        ) from None
    finally:
        snapshot.dispose()


def _check_empty(engine: Engine, media: Path) -> None:
    """Refuse to restore over anything: rows in the store, or files in the media folder."""
    with engine.connect() as connection:
        for table in tables_in_order(reflect_tables(connection))[0]:
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
    for table in tables_in_order(reflect_tables(connection))[0]:
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
        order, cyclic = tables_in_order(reflect_tables(connection))
        # Columns of a foreign key in a cycle between tables: written once every row is in.
        later = {(fk.table.name, column.name) for fk in cyclic for column in fk.columns}
        links_after = []
        for table in order:
            if table.name == "alembic_version" or table.name not in tables:
                continue
            connection.execute(table.delete())
            columns = tables[table.name]["columns"]
            # Times and dates travel as ISO text; the others as JSON has them.
            parsers = {
                c.name: kind.fromisoformat
                for c in table.columns
                if (kind := _python_type(c.type)) in (datetime, date)
            }
            rows = [
                {
                    name: parsers[name](v) if name in parsers and isinstance(v, str) else v
                    for name, v in zip(columns, row, strict=True)
                    if name in table.columns
                }
                for row in tables[table.name]["rows"]
            ]
            # A row may point to a later row of its own table (a term's parent): link those after.
            own = [
                fk.parent.name
                for fk in table.foreign_keys
                if (fk.column.table is table or (table.name, fk.parent.name) in later)
                and fk.parent.name in columns
            ]
            first = [{**row, **dict.fromkeys(own)} for row in rows]
            if first:
                connection.execute(table.insert(), first)
            key = [c.name for c in table.primary_key.columns]
            for row in rows:
                links = {name: row[name] for name in own if row.get(name) is not None}
                if links:
                    where = [table.c[k] == row[k] for k in key]
                    links_after.append(table.update().where(*where).values(**links))
            if engine.dialect.name == "postgresql":
                _reset_sequence(connection, table)
        for statement in links_after:
            connection.execute(statement)


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
    """Return the archive's media files with their paths in the media folder."""
    found = []
    for member in archive.getmembers():
        relative = safe_media_path(member.name) if member.isfile() else None
        if relative is not None:
            found.append((member, relative))
    return found
