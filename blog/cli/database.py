"""`flask db …`: create and migrate the database (Alembic, migrations/)."""

from __future__ import annotations

import click
from alembic import command
from flask.cli import AppGroup

from .. import db
from ..schema import alembic_config, upgrade


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Create and migrate the database (Alembic, migrations/)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the database up to date (to REVISION, by default the latest).

    A SQLite database is copied to DATABASE.TIMESTAMP.bak beside it before it changes.
    """
    saved = upgrade(revision, backup=True)
    if saved is not None:
        click.echo(f"Saved a copy of the database first: {saved}")
    click.echo(f"Database at {_url()} is at {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the database back to REVISION ("base" empties it)."""
    command.downgrade(alembic_config(), revision)
    click.echo(f"Database at {_url()} is at {revision}.")


@db_group.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    command.current(alembic_config(), verbose=False)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def _url() -> str:
    return db.engine().url.render_as_string(hide_password=True)
