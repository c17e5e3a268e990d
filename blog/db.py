"""The database engine and the session of a request or command."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, echo: bool = False) -> Engine:
    """Return an engine for `url`, with foreign keys enforced on SQLite."""
    engine = create_engine(url, echo=echo, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def init_app(app: Flask) -> None:
    """Bind an engine and a session factory to `app` and close sessions after each request."""
    engine = make_engine(app.config["SQLALCHEMY_URL"], echo=app.config["SQL_ECHO"])
    # The store checks its rules against the configured sites (models.check_rules).
    factory = sessionmaker(engine, expire_on_commit=False, info={"sites": app.extensions["sites"]})
    app.extensions["db"] = {"engine": engine, "sessionmaker": factory}
    app.teardown_appcontext(close_session)


def engine() -> Engine:
    return current_app.extensions["db"]["engine"]


def session() -> Session:
    """Return the session of the current request or command, opening it if needed."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"]["sessionmaker"]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
