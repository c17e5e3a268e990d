"""/healthz: whether this process can serve, for load balancers and monitors (JSON, no cache)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import db, schema

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers at the code's schema revision, else 503."""
    try:
        with db.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            problem = schema.problem(connection, current_app.config["MIGRATIONS_DIR"])
    except SQLAlchemyError:
        # The details go to the log (with the request id), never to whoever asks.
        current_app.logger.exception("Health check: the database does not answer.")
        body, status = {"status": "error", "database": "unreachable"}, 503
    else:
        if problem:
            current_app.logger.error("Health check: %s", problem)
            body, status = {"status": "error", "database": "wrong schema revision"}, 503
        else:
            body, status = {"status": "ok", "database": "ok"}, 200
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
