"""What every command that touches the store shares: the schema check and a plain "busy".

A command run on a database without its schema (or behind the code) stops with the command
that fixes it instead of a "no such table" traceback. On SQLite one writer at a time holds the
write lock; an import holds it for its whole run (it is one transaction, so that a failed
import leaves nothing behind). While it runs it leaves a marker file beside the database, so
that another writer that gave up waiting (after SQLITE_BUSY_TIMEOUT) is told that an import is
running — a one-line error for a command, a 503 page for the desk — never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from . import db, schema


def is_busy(error: BaseException) -> bool:
    """Whether `error` is SQLite giving up on a write lock that another writer holds."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def _marker(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".import")


@contextmanager
def import_running(engine: Engine, what: str) -> Iterator[None]:
    """Mark the SQLite database as busy with an import (`what`) while the block runs."""
    marker = _marker(engine)
    if marker is None:
        yield
        return
    started = datetime.now(UTC).isoformat(timespec="seconds")
    marker.write_text(json.dumps({"command": what, "pid": os.getpid(), "started": started}))
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def running_import(engine: Engine) -> dict | None:
    """Return what the import that holds the database is (command, pid, started), if any."""
    marker = _marker(engine)
    try:
        found = json.loads(marker.read_text()) if marker is not None else None
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or not _alive(found.get("pid")):
        return None  # a crashed import's marker: whatever holds the lock, it is not that one
    return found


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def busy_line(engine: Engine) -> str:
    """Say in one line why a write could not get the database, and what to do."""
    running = running_import(engine)
    if running is not None:
        return (
            f"An import is running ({running.get('command')}, process {running.get('pid')}, "
            f"since {running.get('started')}): nothing was written. Run this again when it "
            "has finished."
        )
    return (
        "Another process held the database's write lock for too long: nothing was written. "
        "Run this again in a moment."
    )


def store_command(command):
    """Run a command only on a database at the code's schema; report a busy database plainly."""

    @functools.wraps(command)
    def checked(*args, **kwargs):
        require_schema()
        try:
            return command(*args, **kwargs)
        except OperationalError as error:
            if is_busy(error):
                raise click.ClickException(busy_line(db.engine())) from None
            raise

    return checked


def require_schema() -> None:
    """Stop with the command to run when the database's schema is not the code's."""
    try:
        with db.engine().connect() as connection:
            message = schema.problem(connection, current_app.config["MIGRATIONS_DIR"])
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise click.ClickException(f"Cannot reach the database: {reason}") from None
    if message:
        raise click.ClickException(message)
