"""Backups: one archive with the database and the media files, restored into an empty instance."""

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from blog.models import Base, Post, StoreState
from blog.schema import alembic_config

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
def filled(cli, author, media):
    """A store with the demo (its media files beside the two above), a WordPress import (old
    addresses) and an author account."""
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
    assert before["media"] and before["media_text"]  # the demo's media library
    archive = tmp_path / "backup.tar.gz"
    result = cli("backup", str(archive), *options)
    # The two files above, and the demo's pictures and documents with their copies.
    files = [p for p in media.rglob("*") if p.is_file()]
    assert len(files) > 2 and f"and {len(files)} media files" in result.output
    session.close()
    empty_instance(app, media)
    restored = cli("restore", str(archive))
    assert "Restored" in restored.output
    assert every_row(app) == before
    assert (media / "2019" / "03" / "rhone.jpg").read_bytes() == b"\xff\xd8 not really a JPEG"
    assert (media / "cover.svg").read_text(encoding="utf-8") == "<svg/>"
    assert (media / "plan-de-castelbrune-1890.png").read_bytes().startswith(b"\x89PNG")
    assert [f for f in files if f.name.endswith(".card.jpg")]  # the copies came back too
    assert all(f.exists() for f in files)
    # The ids go on after the restored ones (PostgreSQL's sequences were moved past them).
    post = Post(language="fr", title="Après", slug="apres-la-restauration")
    post.set_source("x")
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
    with app.app_context():
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert manifest["revision"] == head
    assert manifest["media_files"] == len([p for p in media.rglob("*") if p.is_file()])
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


# Archives that do not prove themselves are refused whole, before anything is touched.


@pytest.fixture
def small(app, cli, make_post, media):
    """A store with a few posts (one with a translation) and the two media files."""
    first = make_post(title="Un texte")
    make_post(language="en", title="A text", translation_of=first)
    make_post(title="Un autre")


def members_of(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def rewrite(archive: Path, members: dict[str, bytes], *, checksums: bool) -> None:
    """Write `members` into `archive` as a sound tar.gz; with `checksums`, fix the manifest."""
    if checksums:
        manifest = json.loads(members["manifest.json"])
        manifest["members"] = {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
            if name != "manifest.json"
        }
        members = {**members, "manifest.json": json.dumps(manifest).encode()}
    write_archive(archive, members)


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def database_part(members: dict[str, bytes]) -> str:
    return "database.sqlite3" if "database.sqlite3" in members else "database/post.json"


def truncated(archive: Path) -> None:
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])


def flipped_compressed_byte(archive: Path) -> None:
    data = archive.read_bytes()
    archive.write_bytes(flip(data, len(data) // 2))


def flipped_database_byte(archive: Path) -> None:
    members = members_of(archive)
    name = database_part(members)
    members[name] = flip(members[name], len(members[name]) // 2)
    rewrite(archive, members, checksums=False)


def flipped_media_byte(archive: Path) -> None:
    members = members_of(archive)
    members["media/2019/03/rhone.jpg"] = flip(members["media/2019/03/rhone.jpg"], 3)
    rewrite(archive, members, checksums=False)


def broken_manifest(archive: Path) -> None:
    members = members_of(archive)
    members["manifest.json"] = members["manifest.json"][:-2]
    rewrite(archive, members, checksums=False)


def broken_rows_json(archive: Path) -> None:
    members = members_of(archive)
    members.pop("database.sqlite3", None)
    members["database/post.json"] = b'{"columns": ["id"], "rows": [[1]'
    manifest = json.loads(members["manifest.json"])
    members["manifest.json"] = json.dumps({**manifest, "database": "rows"}).encode()
    rewrite(archive, members, checksums=True)


def missing_member(archive: Path) -> None:
    members = members_of(archive)
    del members["media/cover.svg"]
    rewrite(archive, members, checksums=False)


def unlisted_member(archive: Path) -> None:
    members = members_of(archive)
    rewrite(archive, {**members, "media/extra.txt": b"smuggled"}, checksums=False)


def newer_format(archive: Path) -> None:
    members = members_of(archive)
    manifest = json.loads(members["manifest.json"])
    members["manifest.json"] = json.dumps({**manifest, "version": 99}).encode()
    rewrite(archive, members, checksums=False)


def unknown_format(archive: Path) -> None:
    members = members_of(archive)
    manifest = json.loads(members["manifest.json"])
    members["manifest.json"] = json.dumps({**manifest, "version": "two"}).encode()
    rewrite(archive, members, checksums=False)


def not_a_tar(archive: Path) -> None:
    archive.write_text("Dear diary, this is not an archive.", encoding="utf-8")


def gzip_but_not_a_tar(archive: Path) -> None:
    archive.write_bytes(gzip.compress(b"Dear diary, this is not an archive."))


DAMAGES = {
    truncated: "is truncated",
    flipped_compressed_byte: "is damaged",
    flipped_database_byte: "does not match its checksum",
    flipped_media_byte: "media/2019/03/rhone.jpg does not match its checksum",
    broken_manifest: "has no readable manifest.json",
    broken_rows_json: "database/post.json is not valid JSON",
    missing_member: "media/cover.svg is missing",
    unlisted_member: "media/extra.txt, which its manifest omits",
    newer_format: "newer version of the backup format (version 99",
    unknown_format: "unknown backup format version ('two')",
    not_a_tar: "is not a backup archive (tar.gz)",
    gzip_but_not_a_tar: "its tar stream is unreadable",
}


def store_state(app, media: Path) -> tuple:
    """Every row, the schema revision and the media folder's files: what a restore may change."""
    with app.extensions["db"]["engine"].connect() as connection:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    files = sorted(p.relative_to(media) for p in media.rglob("*")) if media.exists() else []
    leftovers = sorted(p.name for p in media.parent.iterdir() if "restoring" in p.name)
    return every_row(app), revision, files, leftovers


def one_line_refusal(result, reason: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("Error: "), result.output
    assert reason in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("damage", list(DAMAGES), ids=lambda d: d.__name__)
def test_a_damaged_archive_is_refused_with_one_line_and_nothing_changes(
    app, cli, small, media, tmp_path, damage
):
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive))
    damage(archive)
    one_line_refusal(cli("backup", "--verify", str(archive), ok=False), DAMAGES[damage])
    empty_instance(app, media)
    before = store_state(app, media)
    one_line_refusal(cli("restore", str(archive), ok=False), DAMAGES[damage])
    assert store_state(app, media) == before


def test_rows_that_break_a_foreign_key_are_refused_and_nothing_changes(
    app, cli, small, media, tmp_path
):
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive), "--rows")
    members = members_of(archive)
    # The posts are gone, their publications and revisions still point to them.
    post = json.loads(members["database/post.json"])
    members["database/post.json"] = json.dumps({**post, "rows": []}).encode()
    rewrite(archive, members, checksums=True)
    cli("backup", "--verify", str(archive))  # whole: the damage is in what the rows say
    empty_instance(app, media)
    before = store_state(app, media)
    result = cli("restore", str(archive), ok=False)
    one_line_refusal(result, "its rows break a rule of the store")
    assert "Nothing was restored" in result.output
    assert store_state(app, media) == before


def test_verify_reports_a_whole_archive_and_its_checksums(app, cli, small, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert tar.getnames()[0] == "manifest.json"
        for name, expected in manifest["members"].items():
            data = tar.extractfile(name).read()
            assert expected == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert manifest["version"] == 2
    assert {"media/2019/03/rhone.jpg", "media/cover.svg"} <= set(manifest["members"])
    result = cli("backup", "--verify", str(archive))
    count = len(manifest["members"])
    assert f"is whole: {count} members match their SHA-256" in result.output
    assert "2 media files" in result.output


def test_a_version_1_archive_without_checksums_still_restores(app, cli, small, media, tmp_path):
    before = every_row(app)
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive))
    members = members_of(archive)
    manifest = json.loads(members["manifest.json"])
    del manifest["members"]
    members["manifest.json"] = json.dumps({**manifest, "version": 1}).encode()
    rewrite(archive, members, checksums=False)
    assert "format version 1" in cli("backup", "--verify", str(archive)).output
    empty_instance(app, media)
    cli("restore", str(archive))
    assert every_row(app) == before
