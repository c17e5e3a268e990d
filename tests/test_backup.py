"""Backups: one archive with the database and the media files, restored into an empty instance."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from blog.models import Base, Post, StoreState

from .helpers import empty_tables

DATA = Path(__file__).parent / "data" / "wxr"


@pytest.fixture
def media(app, tmp_path):
    """Point MEDIA_DIR at a folder of the test's own, with two uploaded files."""
    folder = tmp_path / "media"
    (folder / "2019" / "03").mkdir(parents=True)
    (folder / "2019" / "03" / "rhone.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    (folder / "cover.svg").write_text("<svg/>", encoding="utf-8")
    app.config["MEDIA_DIR"] = str(folder)
    return folder


@pytest.fixture
def filled(cli, author):
    """A store with the demo, a WordPress import (old addresses) and an author account."""
    cli("demo")
    cli("import-wxr", str(DATA / "polylang.xml"), "--site", "blog")


def every_row(app) -> dict[str, list]:
    """Return every row of every table but the store state, ids included, in key order."""
    rows = {}
    with app.extensions["db"]["engine"].connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name != StoreState.__tablename__:
                query = select(table).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(r) for r in connection.execute(query)]
    return rows


def empty_instance(app, media: Path) -> None:
    empty_tables(app.extensions["db"]["engine"])
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


@pytest.mark.parametrize("options", [(), ("--rows",)], ids=["default", "rows"])
def test_backup_then_restore_gives_back_every_row_and_file(
    app, cli, session, filled, media, tmp_path, options
):
    before = every_row(app)
    assert before["post"] and before["old_address"] and before["user"] and before["revision"]
    archive = tmp_path / "backup.tar.gz"
    result = cli("backup", str(archive), *options)
    assert "and 2 media files" in result.output
    session.close()
    empty_instance(app, media)
    restored = cli("restore", str(archive))
    assert "Restored" in restored.output
    assert every_row(app) == before
    assert (media / "2019" / "03" / "rhone.jpg").read_bytes() == b"\xff\xd8 not really a JPEG"
    assert (media / "cover.svg").read_text(encoding="utf-8") == "<svg/>"
    # The ids go on after the restored ones (PostgreSQL's sequences were moved past them).
    post = Post(language="fr", title="Après", slug="apres-la-restauration", source="x")
    post.publish_on("blog", "home")
    session.add(post)
    session.commit()
    assert post.id > max(row[0] for row in before["post"])


def test_archive_names_what_it_holds(app, cli, filled, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["revision"] == "0006"
    assert manifest["media_files"] == 2
    assert {"media/2019/03/rhone.jpg", "media/cover.svg"} <= names
    if app.extensions["db"]["engine"].dialect.name == "sqlite":
        assert manifest["database"] == "sqlite" and "database.sqlite3" in names
    else:
        assert manifest["database"] == "rows" and "database/post.json" in names
    assert not (tmp_path / "backup.tar.gz.partial").exists()


def test_sqlite_backup_reads_a_consistent_state_while_a_write_is_pending(
    app, cli, filled, media, tmp_path
):
    engine = app.extensions["db"]["engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("the online backup API is SQLite's")
    before = every_row(app)
    archive = tmp_path / "backup.tar.gz"
    # Another process of the site is in the middle of a write when the backup runs.
    with engine.connect() as writer:
        writer.execute(text("BEGIN IMMEDIATE"))
        writer.execute(text("UPDATE post SET title = 'half-written'"))
        cli("backup", str(archive))
        writer.rollback()
    empty_instance(app, media)
    cli("restore", str(archive))
    assert every_row(app) == before


def test_restore_refuses_an_instance_that_is_not_empty(cli, filled, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive))
    result = cli("restore", str(archive), ok=False)
    assert result.exit_code == 1
    assert "This instance is not empty" in result.output


def test_restore_refuses_media_files_already_there(app, cli, filled, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive))
    empty_tables(app.extensions["db"]["engine"])
    result = cli("restore", str(archive), ok=False)
    assert (
        result.exit_code == 1 and "media folder" in result.output and "not empty" in result.output
    )


def write_archive(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"notes.txt": b"hello"}, "it is not a backup"),
        ({"manifest.json": b'{"format": "other"}'}, "is not a backup of this application"),
        (
            {"manifest.json": b'{"format": "blog-backup", "version": 1, "database": "rows", '
                              b'"revision": "9999", "media_files": 0}'},
            "made by a newer version (schema revision 9999)",
        ),
    ],
)  # fmt: skip
def test_restore_refuses_what_it_cannot_restore(app, cli, media, tmp_path, members, message):
    empty_instance(app, media)
    archive = tmp_path / "other.tar.gz"
    write_archive(archive, members)
    result = cli("restore", str(archive), ok=False)
    assert result.exit_code == 1 and message in result.output


def test_restore_refuses_a_file_that_is_no_archive(cli, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a tar", encoding="utf-8")
    result = cli("restore", str(path), ok=False)
    assert result.exit_code == 1 and "is not a backup archive" in result.output


def test_restore_never_writes_outside_the_media_folder(app, cli, media, tmp_path):
    empty_instance(app, media)
    archive = tmp_path / "evil.tar.gz"
    manifest = {"format": "blog-backup", "version": 1, "database": "rows", "revision": "0006",
                "media_files": 1}  # fmt: skip
    write_archive(archive, {"manifest.json": json.dumps(manifest).encode(),
                            "media/../../escaped.txt": b"x"})  # fmt: skip
    result = cli("restore", str(archive), ok=False)
    assert "suspicious path" in result.output
    assert not (tmp_path / "escaped.txt").exists()
