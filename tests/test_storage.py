"""Data is never lost: WAL and write locks, concurrent writers, kill -9, schema checks, backups.

These tests run on SQLite files of their own whatever TEST_DATABASE_URL says: they test what
the app does for SQLite (PostgreSQL brings its own locking and durability).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from blog import create_app, db, schema
from blog.schema import alembic_config, upgrade

from .helpers import SITES_FILE, make_app

ROOT = Path(__file__).parents[1]

WRITER = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from sqlalchemy import func, select
from blog import create_app, db
from blog.models import Post, PublicationKind, Status

url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
go, sites = Path(sys.argv[4]), sys.argv[5]
app = create_app({"DATABASE_URL": url, "SITES_FILE": sites})
with app.app_context():
    session = db.session()
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    i = 0
    while count < 0 or i < count:
        # Read, then write what was read: the transaction must not let another writer in between.
        seen = session.scalar(select(func.count(Post.id)))
        post = Post(kind="post", language="fr", title=f"{name} {i}", slug=f"{name}-{i}",
                    status=Status.PUBLISHED, menu_order=seen,
                    published_at=datetime(2025, 1, 1, tzinfo=UTC))
        post.set_source("Texte.")
        post.publish_on("blog", PublicationKind.HOME)
        session.add(post)
        session.commit()
        print(post.id, flush=True)
        i += 1
"""


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """Return a SQLite file at the code's schema revision."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    app = make_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade()
        db.engine().dispose()
    return url


def writer(url: str, name: str, count: int, go: Path) -> subprocess.Popen:
    """Start a writer process and return once it is ready to write (when `go` exists)."""
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, name, str(count), str(go), SITES_FILE],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "ready\n", process.stderr.read()
    return process


def rows(url: str, sql: str) -> list:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
        return connection.execute(sql).fetchall()


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_durable_commits(sqlite_url):
    app = make_app({"DATABASE_URL": sqlite_url})
    with app.app_context(), db.engine().connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 30_000
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
    app.extensions["db"]["engine"].dispose()


def lock_is_free(url: str) -> bool:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)) as other:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            return False
        other.rollback()
        return True


def test_a_writing_session_takes_the_write_lock_at_its_first_read(sqlite_url):
    app = make_app({"DATABASE_URL": sqlite_url})
    with app.app_context():
        db.session().execute(text("SELECT count(*) FROM post"))  # a command: it will write
        assert not lock_is_free(sqlite_url)
        db.session().commit()
        assert lock_is_free(sqlite_url)
    with app.test_request_context("/fr/", method="GET"):
        db.session().execute(text("SELECT count(*) FROM post"))  # a page: it only reads
        assert lock_is_free(sqlite_url)
        db.close_session()
    with app.test_request_context("/admin/posts/new", method="POST"):
        db.session().execute(text("SELECT count(*) FROM post"))  # a form post: it writes
        assert not lock_is_free(sqlite_url)
        db.close_session()
    assert lock_is_free(sqlite_url)
    app.extensions["db"]["engine"].dispose()


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(sqlite_url, tmp_path):
    go = tmp_path / "go"
    writers = [writer(sqlite_url, name, 50, go) for name in ("left", "right")]
    go.touch()
    outputs = [process.communicate(timeout=120) for process in writers]
    for process, (out, err) in zip(writers, outputs, strict=True):
        assert "locked" not in err
        assert process.returncode == 0, err
        assert len(out.split()) == 50
    assert rows(sqlite_url, "SELECT count(*) FROM post") == [(100,)]
    # Each read-then-write saw every earlier write: the writers were serialized.
    seen = [n for (n,) in rows(sqlite_url, "SELECT menu_order FROM post ORDER BY menu_order")]
    assert seen == list(range(100))


@pytest.mark.slow
@pytest.mark.parametrize("rounds", [3])
def test_kill_9_while_writing_keeps_every_committed_post(sqlite_url, tmp_path, rounds):
    go = tmp_path / "go"
    go.touch()
    committed = []
    for round_ in range(rounds):
        process = writer(sqlite_url, f"round{round_}", -1, go)
        wanted = 15 + 10 * round_
        for _ in range(wanted):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            committed.append(int(line))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        assert rows(sqlite_url, "PRAGMA integrity_check") == [("ok",)]
        stored = {n for (n,) in rows(sqlite_url, "SELECT id FROM post")}
        assert set(committed) <= stored


# --- the schema must be the code's ---------------------------------------------------------


def previous_revision(app) -> str:
    with app.app_context():
        scripts = ScriptDirectory.from_config(alembic_config())
        return scripts.get_revision(scripts.get_current_head()).down_revision


@pytest.fixture
def old_url(tmp_path) -> str:
    """Return a SQLite file one migration behind the code."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = make_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade(previous_revision(app))
        db.engine().dispose()
    return url


def problem(url: str) -> str | None:
    app = make_app({"DATABASE_URL": url})
    with app.app_context(), db.engine().connect() as connection:
        found = schema.problem(connection, app.config["MIGRATIONS_DIR"])
    app.extensions["db"]["engine"].dispose()
    return found


def test_the_schema_check_says_which_command_to_run(sqlite_url, old_url, tmp_path):
    assert problem(sqlite_url) is None
    assert "behind the code" in problem(old_url)
    assert "flask --app app db upgrade" in problem(old_url)
    assert "flask --app app db upgrade" in problem(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    rows(sqlite_url, "SELECT 1")
    with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        connection.commit()
    ahead = problem(sqlite_url)
    assert "does not know" in ahead and "db downgrade" in ahead


def test_a_server_refuses_to_start_on_a_database_behind_the_code(old_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", old_url)
    monkeypatch.setenv("BLOG_SITES_FILE", SITES_FILE)
    with pytest.raises(schema.SchemaError, match="db upgrade"):
        create_app()


def test_test_apps_and_unreachable_databases_do_not_stop_the_start(old_url, tmp_path):
    assert make_app({"DATABASE_URL": old_url})  # tests build their own schema
    with pytest.raises(schema.SchemaError):
        make_app({"DATABASE_URL": old_url, "SCHEMA_CHECK": True})
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite3'}"
    assert make_app({"DATABASE_URL": missing, "SCHEMA_CHECK": True})  # /healthz says 503


def flask(*args: str, url: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "BLOG_SITES_FILE": SITES_FILE}
    env.pop("FLASK_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_flask_run_refuses_a_database_behind_the_code(old_url):
    result = flask("run", "--no-reload", "--port", "5999", url=old_url)
    assert result.returncode != 0
    assert "behind the code" in result.stderr and "flask --app app db upgrade" in result.stderr


@pytest.mark.slow
def test_db_upgrade_backs_up_then_fixes_an_old_database(old_url, tmp_path):
    before = rows(old_url, "SELECT version_num FROM alembic_version")
    result = flask("db", "upgrade", url=old_url)
    assert result.returncode == 0, result.stderr
    copies = list(tmp_path.glob("old.sqlite3.*.bak"))
    assert len(copies) == 1
    assert f"Saved a copy of the database first: {copies[0]}" in result.stdout
    backup_url = f"sqlite:///{copies[0]}"
    assert rows(backup_url, "SELECT version_num FROM alembic_version") == before
    assert rows(backup_url, "PRAGMA integrity_check") == [("ok",)]
    assert problem(old_url) is None
    # Already up to date: nothing changes, so no second copy.
    assert flask("db", "upgrade", url=old_url).returncode == 0
    assert len(list(tmp_path.glob("old.sqlite3.*.bak"))) == 1


def test_a_new_database_gets_no_backup(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    app = make_app({"DATABASE_URL": url})
    with app.app_context():
        assert upgrade(backup=True) is None
    assert not list(tmp_path.glob("*.bak"))
    app.extensions["db"]["engine"].dispose()


def test_busy_timeout_turns_a_long_lock_into_an_error_not_a_hang(sqlite_url):
    app = make_app({"DATABASE_URL": sqlite_url, "SQLITE_BUSY_TIMEOUT": 0.2})
    with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as holder:
        holder.execute("BEGIN IMMEDIATE")
        with app.app_context():
            start = time.perf_counter()
            with pytest.raises(OperationalError, match="locked"):
                db.session().execute(text("SELECT 1"))
            assert 0.15 < time.perf_counter() - start < 5
            db.close_session()
        holder.rollback()
    app.extensions["db"]["engine"].dispose()
