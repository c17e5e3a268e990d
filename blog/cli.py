"""Commands: database migrations, demo content and interface translations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import accounts, db, fields, moving, schema
from .operations import store_command
from .sites import registry


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(demo)
    app.cli.add_command(translate)
    app.cli.add_command(create_user)
    app.cli.add_command(announce)
    for moving_command in moving.COMMANDS:
        app.cli.add_command(moving_command)


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
    saved = schema.backup_before_upgrade(cfg, db.engine(), revision) if backup else None
    command.upgrade(cfg, revision)
    return saved


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


@click.command()
@with_appcontext
def demo() -> None:
    """Bring the database up to date and load the demo content (run twice: no duplicates)."""
    from .demo import load_demo

    upgrade()
    report = load_demo(db.session())
    click.echo(
        f"Demo content: {report['created']} posts created, {report['existing']} already there."
    )
    for site in registry():
        click.echo(f"  {site.key}: {site.url}/")


@click.command("create-user")
@click.argument("email")
@click.option("--name", default="", help="The name shown in the desk.")
@click.option("--language", default="fr", show_default=True, help="Language of the desk.")
@click.password_option(help="Asked on the terminal when not given.")
@with_appcontext
@store_command
def create_user(email: str, name: str, language: str, password: str) -> None:
    """Create an author account for EMAIL (one account works on every site)."""
    if language not in current_app.extensions["desk_languages"]:
        raise click.BadParameter(
            "choose one of " + ", ".join(current_app.extensions["desk_languages"]),
            param_hint="--language",
        )
    try:
        user = accounts.create_user(db.session(), email, password, name=name, language=language)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the account {user.email}; sign in at /admin/ on any site.")


@click.command()
@click.argument("post_id", type=click.IntRange(1, fields.INT_MAX))
@click.option("--on", "site", required=True, help="The site where the post is announced.")
@click.option(
    "--language",
    help="Language of the announcement (default: the post's if the site takes it).",
)
@click.option("--title", help="Title (default: the post's, when the language is the same).")
@click.option("--text", help="Short text (default: the post's summary).")
@click.option("--slug", default="", help="Slug (default: made from the title).")
@click.option("--draft", is_flag=True, help="Save it as a draft instead of publishing it.")
@with_appcontext
@store_command
def announce(post_id, site, language, title, text, slug, draft) -> None:
    """Announce post POST_ID on another site: a short entry there that links to the post."""
    from .admin.announcements import check, create_announcement, prefill
    from .models import ContentRuleError, Post, Status

    session = db.session()
    original = session.get(Post, post_id)
    if original is None or original.kind != "post" or original.deleted_at is not None:
        raise click.ClickException(
            f"There is no post {post_id} (pages and announcements cannot be announced)."
        )
    if registry().get(site) is None:
        raise click.BadParameter(f"there is no site {site!r}", param_hint="--on")
    values = prefill(original, site)
    if values["site"] != site:
        raise click.ClickException(f"Post {post_id} lives on {site}: announce it on another site.")
    for name, given in (("language", language), ("title", title), ("source", text), ("slug", slug)):
        if given is not None:
            values[name] = given
    if not values["title"]:
        raise click.ClickException(
            "The announcement is in another language than the post: give its title with --title."
        )
    values["status"] = Status.DRAFT if draft else Status.PUBLISHED
    refused = check(values)
    if refused:
        raise click.ClickException(" ".join(refused.values()))
    try:
        announcement = create_announcement(original, values)
        session.commit()
    except (ContentRuleError, ValueError) as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Announced post {post_id} on {site} as post {announcement.id} ({announcement.language})."
    )


@click.group(cls=AppGroup)
def translate() -> None:
    """Extract, update and compile the interface catalogs in translations/."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


def _paths() -> tuple[Path, Path, Path]:
    root = Path(current_app.config["TRANSLATIONS_DIR"])
    return root, root.parent / "babel.cfg", root / "messages.pot"


@translate.command("extract")
def translate_extract() -> None:
    """Collect every marked string of the code and templates into messages.pot."""
    root, cfg, pot = _paths()
    _pybabel("extract", "-F", str(cfg), "-k", "_l", "--no-location", "--sort-output",
             "-o", str(pot), str(root.parent))  # fmt: skip


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge new strings into every language's catalog."""
    translate_extract.callback()
    root, _cfg, pot = _paths()
    _pybabel("update", "-i", str(pot), "-d", str(root), "--no-fuzzy-matching")


@translate.command("init")
@click.argument("language")
def translate_init(language: str) -> None:
    """Start the catalog of a new LANGUAGE (then translate it and compile)."""
    translate_extract.callback()
    root, _cfg, pot = _paths()
    _pybabel("init", "-i", str(pot), "-d", str(root), "-l", language)


@translate.command("compile")
def translate_compile() -> None:
    """Compile every catalog so the app can use it."""
    root, _cfg, _pot = _paths()
    _pybabel("compile", "-d", str(root), "--statistics")
