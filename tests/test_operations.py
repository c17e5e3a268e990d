"""Commands on a database without its schema, and writers that meet a running import."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blog import create_app, db
from blog.models import Post, User

from .helpers import empty_tables, make_app

DATA = Path(__file__).parent / "data" / "wxr"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def app(database_url):
    """The test app, with a short SQLite busy timeout so that a blocked writer gives up fast."""
    app = make_app({"DATABASE_URL": database_url, "TESTING": True, "SQLITE_BUSY_TIMEOUT": 0.3})
    yield app
    with app.app_context():
        empty_tables(db.engine())
        db.engine().dispose()


@pytest.fixture
def bare_cli(tmp_path):
    """Run a command on an app whose SQLite database has no schema at all."""
    bare = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'bare.sqlite3'}", "TESTING": True})
    runner = bare.test_cli_runner()
    yield lambda *args: runner.invoke(args=list(args))
    with bare.app_context():
        db.engine().dispose()


def one_line_error(result, reason: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert reason in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("import-wxr", str(DATA / "polylang.xml"), "--site", "blog"),
        ("import-markdown", "{folder}"),
        ("export-markdown", "{out}"),
        ("backup", "{archive}"),
        ("create-user", "someone@example.org", "--password", "a long enough password"),
        ("announce", "1", "--on", "book"),
    ],
    ids=lambda args: args[0],
)
def test_a_command_on_a_database_without_schema_names_the_command_to_run(bare_cli, tmp_path, args):
    (tmp_path / "folder").mkdir()
    paths = {"folder": tmp_path / "folder", "out": tmp_path / "out", "archive": tmp_path / "a.tgz"}
    result = bare_cli(*(a.format(**paths) for a in args))
    one_line_error(result, "has no schema yet")
    assert "Run: flask --app app db upgrade" in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "a.tgz").exists()


def test_a_backup_restores_into_a_new_database_without_schema(cli, make_post, tmp_path):
    make_post(title="Sauvé")
    archive = tmp_path / "backup.tar.gz"
    cli("backup", str(archive))
    fresh = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "TESTING": True,
            "MEDIA_DIR": str(tmp_path / "fresh-media"),
        }
    )
    result = fresh.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert db.session().scalar(select(Post.title)) == "Sauvé"
        db.engine().dispose()


def hold_the_write_lock(app, as_import: bool) -> subprocess.Popen:
    """Start another process that takes the SQLite write lock (inside an import's marker)."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from blog import create_app, db
        from blog.operations import import_running
        from contextlib import nullcontext
        app = create_app({{"DATABASE_URL": {app.config["DATABASE_URL"]!r}, "TESTING": True}})
        with app.app_context():
            marker = import_running(db.engine(), "import-wxr") if {as_import} else nullcontext()
            with marker, db.engine().connect() as connection:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                print("locked", flush=True)
                sys.stdin.read()
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def release(holder: subprocess.Popen) -> None:
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0
    holder.stdout.close()


@pytest.fixture
def sqlite_only(app):
    if app.extensions["db"]["engine"].dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's")


@pytest.mark.parametrize(
    ("as_import", "reason"),
    [
        (True, "An import is running (import-wxr, process "),
        (False, "Another process held the database's write lock for too long"),
    ],
)
def test_a_command_blocked_by_another_writer_says_so_in_one_line(
    app, cli, session, sqlite_only, as_import, reason
):
    holder = hold_the_write_lock(app, as_import)
    try:
        args = ("create-user", "late@example.org", "--password", "a long enough password")
        result = cli(*args, ok=False)
    finally:
        release(holder)
    one_line_error(result, reason)
    assert "nothing was written" in result.output
    assert session.scalar(select(func.count(User.id)).where(User.email == "late@example.org")) == 0
    # Once the import is over, the same command goes through.
    cli(*args)


def test_a_desk_save_blocked_by_an_import_gets_a_plain_503(app, desk, session, sqlite_only):
    from tests.test_admin_posts import form_data

    holder = hold_the_write_lock(app, as_import=True)
    try:
        response = desk.send("/admin/posts/new", form_data())
    finally:
        release(holder)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    # The error page speaks the site's language (French on the blog's bare addresses).
    assert "Une importation est en cours et occupe la base de données" in response.text
    assert session.scalar(select(func.count(Post.id))) == 0
    assert not list(Path(app.extensions["db"]["engine"].url.database).parent.glob("*.import"))
