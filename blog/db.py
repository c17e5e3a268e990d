"""The database engine and the session of a request or command.

On SQLite, readers never block the writer (WAL), a writer waits for another one's lock
instead of failing (busy timeout), and a session that will write takes the write lock at its
first statement (BEGIN IMMEDIATE), so that what it read cannot change before it writes: the
"database is locked" error of a read-then-write transaction cannot happen.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from . import rules, search

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, echo: bool = False, busy_timeout: float = 30, **options) -> Engine:
    """Return an engine for `url`; on SQLite: foreign keys, WAL, durable commits, busy timeout."""
    pre_ping = not url.startswith("sqlite")
    engine = create_engine(url, echo=echo, pool_pre_ping=pre_ping, **options)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL (not WAL's usual NORMAL): a committed post survives a power cut too.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

    return engine


def take_write_lock(session: Session, transaction, connection) -> None:
    """Begin a writing session's SQLite transaction with the write lock (BEGIN IMMEDIATE)."""
    # pysqlite would begin only at the first INSERT or UPDATE, after the reads it depends on.
    # A savepoint (begin_nested) is inside that transaction already.
    if transaction.nested:
        return
    if session.info.get("writes") and connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    """Bind an engine and a session factory to `app` and close sessions after each request."""
    engine = make_engine(
        app.config["SQLALCHEMY_URL"],
        echo=app.config["SQL_ECHO"],
        busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"],
    )
    # The store checks its rules against the configured sites (rules.check_rules).
    factory = sessionmaker(engine, expire_on_commit=False, info={"sites": app.extensions["sites"]})
    rules.install(factory)
    # The search index follows every write of the store (search.install).
    search.install(factory)
    event.listen(factory, "after_begin", take_write_lock)
    app.extensions["db"] = {"engine": engine, "sessionmaker": factory}
    app.teardown_appcontext(close_session)


def engine() -> Engine:
    return current_app.extensions["db"]["engine"]


def session() -> Session:
    """Return the session of the current request or command, opening it if needed."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"]["sessionmaker"]()
        # Commands and form posts write; pages only read, and must not queue behind a writer.
        g.db_session.info["writes"] = (
            not has_request_context() or request.method not in READ_ONLY_METHODS
        )
    return g.db_session


def connection() -> Connection:
    """Return the connection of the current session (its transaction): for Core statements,
    such as the read model's (entries.py)."""
    return session().connection()


def close_session(_exc: BaseException | None = None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
