"""Commands that move a store in and out: WordPress import, Markdown folders, backups."""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import db
from ..config import media_dir
from ..moving import static_site
from ..moving.backup import BackupError
from ..moving.backup import backup as write_backup
from ..moving.backup_check import verify
from ..moving.markdown_export import export_folder
from ..moving.markdown_folder import import_folder
from ..moving.markdown_format import FolderError
from ..moving.restore import restore as read_backup
from ..moving.wordpress import WordPressImportError, import_export
from ..moving.wpuploads import MEDIA_FOLDER, Uploads
from ..moving.wxr import WXRError, read
from ..operations import import_running, require_schema, store_command
from ..sites import registry


@click.command("import-wxr")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", required=True, help="The site the posts and pages come to.")
@click.option(
    "--language",
    help="Language of the items that carry no language marker (default: the site's default).",
)
@click.option(
    "--timezone",
    help="Time zone of the WordPress site, for the dates an export gives only in local time "
    "(drafts); default: TIMEZONE.",
)
@click.option(
    "--uploads",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A copy of the site's wp-content/uploads folder: the files the texts link to are "
    "copied into the media store (pictures, documents, audio and video into the media "
    "library, with their sizes and resized copies) and the links point to them. Without it, "
    "the media folder's own uploads/ folder is used when there is one.",
)
@with_appcontext
@store_command
def import_wxr(
    file: Path, site: str, language: str | None, timezone: str | None, uploads: Path | None
) -> None:
    """Import a WordPress export (WXR 1.0–1.2) into SITE, in one transaction.

    Posts and pages keep their HTML, status, dates, slugs, excerpts, categories and tags;
    shortcodes, embeds and block markers become HTML; Polylang's languages and translation
    groups come across; old permalinks and ?p=ID answer 301 to the new addresses. Running
    the same import again changes nothing.
    """

    sites = registry()
    target = sites.get(site)
    if target is None:
        raise click.BadParameter(
            f"there is no site {site!r} (sites: {', '.join(s.key for s in sites)})",
            param_hint="--site",
        )
    if language is not None and not target.accepts(language):
        raise click.BadParameter(
            f"the site {site} publishes only in {', '.join(target.languages)}",
            param_hint="--language",
        )
    timezone = timezone or current_app.config["TIMEZONE"]
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone {timezone!r}", param_hint="--timezone"
        ) from None
    try:
        export = read(file)
    except WXRError as error:
        raise click.ClickException(f"{file}: {error}. Nothing was imported.") from None
    # A bar on a terminal only; a log or a pipe gets the report alone.
    with click.progressbar(
        length=len(export.items), label="Importing", hidden=not sys.stdout.isatty()
    ) as bar:
        try:
            with import_running(db.engine(), "import-wxr"):
                report = import_export(
                    db.session(),
                    sites,
                    export,
                    site,
                    language=language,
                    timezone=timezone,
                    on_item=lambda: bar.update(1),
                    uploads=_uploads(uploads),
                )
        except WordPressImportError as error:
            raise click.ClickException(f"{error}. Nothing was imported.") from None
    for line in report.lines():
        click.echo(line)


def _uploads(folder: Path | None) -> Uploads | None:
    """Return where the files of an import come from: the folder given, else the copy of
    wp-content/uploads already in the media folder (media/uploads/), if there is one."""
    if folder is None and (media_dir() / MEDIA_FOLDER).is_dir():
        folder = media_dir() / MEDIA_FOLDER
    return Uploads(folder, media_dir()) if folder is not None else None


@click.command("export-markdown")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
@store_command
def export_markdown(folder: Path) -> None:
    """Write the whole store into FOLDER as Markdown files with YAML front matter."""

    try:
        count = export_folder(db.session(), folder, Path(current_app.config["SITES_FILE"]))
    except FolderError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {count} posts, pages and announcements, the terms and the sites file")
    click.echo(f"into {folder}.")


@click.command("import-markdown")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
@store_command
def import_markdown(folder: Path) -> None:
    """Read a folder written by export-markdown (or by hand) into the store, in one transaction.

    A file whose language and slug match a post updates that post; the others are created.
    """

    try:
        with import_running(db.engine(), "import-markdown"):
            report = import_folder(db.session(), folder, Path(current_app.config["SITES_FILE"]))
    except FolderError as error:
        raise click.ClickException(f"{error} Nothing was imported.") from None
    click.echo(
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
        f"{report.terms} terms created."
    )
    for note in report.notes:
        click.echo(note)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--rows",
    is_flag=True,
    help="On SQLite, keep the rows as JSON instead of a database file (to move to PostgreSQL).",
)
@click.option(
    "--verify",
    "check",
    is_flag=True,
    help="Check the archive FILE (every checksum, the gzip stream, the JSON) without restoring.",
)
@with_appcontext
def backup(file: Path, rows: bool, check: bool) -> None:
    """Write FILE (tar.gz): a consistent snapshot of the database and the media files.

    With --verify, read FILE whole and check it instead; exit 1 with the reason if damaged.
    """

    if check:
        try:
            manifest = verify(file)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        checked = (
            f"{len(manifest['members'])} members match their SHA-256"
            if manifest["version"] >= 2
            else "format version 1, which has no checksums: its gzip stream and JSON are sound"
        )
        click.echo(
            f"{file} is whole: {checked} (made {manifest.get('created')}, schema "
            f"{manifest.get('revision')}, {manifest.get('media_files')} media files)."
        )
        return
    require_schema()
    manifest = write_backup(file, rows=rows)
    what = "an SQLite snapshot" if manifest["database"] == "sqlite" else "every table's rows"
    click.echo(
        f"Wrote {file}: {what} (schema {manifest['revision']}) and "
        f"{manifest['media_files']} media files."
    )


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Bring the backup FILE back into this instance, which must be empty."""

    try:
        manifest = read_backup(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored {file} (made {manifest['created']}): the database and "
        f"{manifest['media_files']} media files."
    )


@click.command("export-static")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    help="How many processes render pages (default: one per core).",
)
@with_appcontext
@store_command
def export_static(directory: Path, processes: int | None) -> None:
    """Write every site as static files into DIRECTORY, one folder per domain.

    Each file is the page, feed, sitemap or file the app serves at that address. Run again,
    it renders only what changed, rewrites only files whose bytes changed and removes those
    whose address is gone. DIRECTORY also gets nginx.conf and each site folder an .htaccess
    for the bare / language negotiation, the language switcher and the content types.
    """
    app = current_app._get_current_object()
    plan = static_site.plan(app)
    try:
        if sys.stdout.isatty():
            with click.progressbar(length=len(plan.targets), label="Exporting") as bar:
                report = static_site.export(app, plan, directory, bar.update, processes)
        else:
            report = static_site.export(app, plan, directory, processes=processes)
    except static_site.ExportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{len(plan.targets)} addresses: {report.written} files written, "
        f"{report.removed} removed, {report.kept} kept ({report.rendered} pages rendered)."
    )
    for url, status in report.failed:
        click.echo(f"  not exported: {url} answered {status}", err=True)
    if report.failed:
        raise SystemExit(1)


COMMANDS = (import_wxr, export_markdown, import_markdown, backup, restore, export_static)
