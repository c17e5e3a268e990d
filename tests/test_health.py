"""/healthz: 200 when the database answers at the code's revision, 503 otherwise."""

from __future__ import annotations

import logging

import pytest
from alembic.script import ScriptDirectory

from blog.schema import alembic_config, upgrade

from .helpers import BLOG, BOOK, make_app


@pytest.mark.parametrize(
    "host", ["blog.localhost", "book.localhost", "127.0.0.1:8000", "localhost"]
)
def test_a_healthy_app_answers_200_on_sites_and_loopback(app, host):
    response = app.test_client().get("/healthz", headers={"Host": host})
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_an_unknown_host_gets_no_health_report(app):
    assert app.test_client().get("/healthz", headers={"Host": "evil.example"}).status_code == 404


def test_an_unreachable_database_answers_503_and_is_logged(tmp_path, caplog):
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite3'}"})
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/healthz", base_url=BLOG)
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}
    assert "unable to open" not in response.text  # details stay in the log
    record = next(r for r in caplog.records if "does not answer" in r.getMessage())
    assert record.request_id == response.headers["X-Request-Id"]


def test_a_database_behind_the_code_answers_503(tmp_path):
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
        upgrade(previous)
    response = app.test_client().get("/healthz", base_url=BOOK)
    assert response.status_code == 503
    assert response.json["database"] == "wrong schema revision"
    with app.app_context():
        upgrade()
    assert app.test_client().get("/healthz", base_url=BOOK).status_code == 200
    app.extensions["db"]["engine"].dispose()
