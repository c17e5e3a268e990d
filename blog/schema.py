"""The database's migration revision against the code's, and a copy before a SQLite upgrade.

A server refuses to start on a database whose schema is behind the code (a migration was not
run) or ahead of it (a newer version migrated it), with the command that fixes it. Commands
other than `flask run` skip the check: `db upgrade` and `demo` exist to fix exactly that.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from . import db

UPGRADE = "flask --app app db upgrade"


class SchemaError(RuntimeError):
    """The database's schema is not the one this code was written for; the message says why."""


def init_app(app: Flask) -> None:
    """Refuse to start on a database at another revision, unless a maintenance command runs."""
    if not app.config["SCHEMA_CHECK"]:
        return
    command = click.get_current_context(silent=True)
    if command is not None and command.info_name != "run":
        return  # `flask db upgrade`, `flask demo`, …: commands that bring the database up to date
    try:
        with app.extensions["db"]["engine"].connect() as connection:
            message = problem(connection, app.config["MIGRATIONS_DIR"])
    except SQLAlchemyError as error:
        # An unreachable database is reported by /healthz; only a known mismatch stops the start.
        app.logger.warning("Could not check the database's schema at start: %s", error)
        return
    if message:
        raise SchemaError(message)


@lru_cache
def _scripts(migrations_dir: str) -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", migrations_dir)
    config.set_main_option("path_separator", "os")
    return ScriptDirectory.from_config(config)


def problem(connection: Connection, migrations_dir: str) -> str | None:
    """Say what is wrong with the database's revision and which command fixes it (None: fine)."""
    scripts = _scripts(migrations_dir)
    code = set(scripts.get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    if current == code:
        return None
    wanted = ", ".join(sorted(code))
    if not current:
        return f"The database has no schema yet (the code needs revision {wanted}). Run: {UPGRADE}"
    known = {script.revision for script in scripts.walk_revisions()}
    at = ", ".join(sorted(current))
    if current - known:
        return (
            f"The database is at revision {at}, which this code does not know: a newer version "
            f"migrated it. Deploy that version, or with it run: flask --app app db downgrade "
            f"{wanted}"
        )
    return f"The database is at revision {at}, behind the code ({wanted}). Run: {UPGRADE}"


def backup_before_upgrade(config: Config, engine: Engine, revision: str) -> Path | None:
    """Copy a SQLite database that upgrading to `revision` would change; return the copy."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    path = Path(database)
    if not path.exists():
        return None
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if not current:
        return None  # nothing migrated yet, so nothing to lose
    try:
        target = {
            script.revision
            for script in ScriptDirectory.from_config(config).get_revisions(revision)
        }
    except CommandError:
        target = set()  # a relative revision ("+1"): it changes something, so keep a copy
    if target == current:
        return None
    copy = _free_name(path)
    # SQLite's online backup reads a consistent state even while another process writes.
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(copy)) as target_db:
        source.backup(target_db)
    return copy


def _free_name(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate, n = path.with_name(f"{path.name}.{stamp}.bak"), 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{stamp}-{n}.bak")
    return candidate


def alembic_config() -> Config:
    """Return the Alembic configuration for the app's database and migrations/."""
    cfg = Config()
    cfg.set_main_option("script_location", current_app.config["MIGRATIONS_DIR"])
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["engine"] = db.engine()
    return cfg


def upgrade(revision: str = "head", backup: bool = False) -> Path | None:
    """Bring the app's database up to `revision`, creating it if needed.

    With `backup`, a SQLite database that the upgrade changes is first copied beside itself;
    the copy's path is returned.
    """
    cfg = alembic_config()
    saved = backup_before_upgrade(cfg, db.engine(), revision) if backup else None
    command.upgrade(cfg, revision)
    return saved
