"""Browser policies on every response, proxies, request ids, error pages, body limits, debug."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from blog import create_app, security

from .helpers import BLOG, BOOK, PASSWORD, SITES_FILE, SiteClient, csrf_from, make_app

HTTPS_SITES = (
    Path(SITES_FILE)
    .read_text()
    .replace("http://blog.localhost:5000", "https://blog.localhost")
    .replace("http://book.localhost:5000", "https://book.localhost")
)
SECRET = "a production secret of sufficient length for the tests"


def https_sites(tmp_path) -> str:
    path = tmp_path / "sites.toml"
    path.write_text(HTTPS_SITES)
    return str(path)


@pytest.fixture
def https_app(database_url, tmp_path):
    app = make_app(
        {"DATABASE_URL": database_url, "SITES_FILE": https_sites(tmp_path), "SECRET_KEY": SECRET}
    )
    yield app
    app.extensions["db"]["engine"].dispose()


@pytest.fixture
def https_blog(https_app):
    return SiteClient(https_app, https_app.response_class, base_url="https://blog.localhost")


# --- headers -------------------------------------------------------------------------------

PAGES = [
    (BLOG, "/fr/"),
    (BOOK, "/"),
    (BLOG, "/fr/feed.atom"),
    (BLOG, "/sitemap.xml"),
    (BLOG, "/robots.txt"),
    (BLOG, "/static/site.css"),
    (BLOG, "/fr/no-such-page/"),
    (BLOG, "/admin/login"),
    (BLOG, "/admin/"),
    (BLOG, "/healthz"),
    ("http://localhost", "/"),
    ("http://evil.example", "/"),
]


@pytest.mark.parametrize(("base", "path"), PAGES)
def test_every_response_carries_the_browser_policies(app, base, path):
    response = app.test_client().get(path, base_url=base)
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # the sites are plain http
    response.close()


def test_a_304_keeps_the_policies(blog):
    etag = blog.get("/fr/").headers["ETag"]
    response = blog.get("/fr/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert "Content-Security-Policy" in response.headers


def test_https_sites_send_hsts(https_blog):
    response = https_blog.get("/fr/")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == f"max-age={365 * 24 * 3600}"


def test_pages_have_no_inline_script_or_style(app, make_post):
    """The policy forbids inline code, so published pages must not need any."""
    make_post(language="fr", slug="un-article", source="*Texte* [lien](https://example.org/)")
    client = app.test_client()
    for base, path in [(BLOG, "/fr/"), (BOOK, "/"), (BLOG, "/admin/login")]:
        text = client.get(path, base_url=base).text
        for script in text.split("<script")[1:]:
            opening = script.split(">", 1)[0]
            # Only external files and JSON-LD data blocks, which a CSP does not execute.
            assert 'type="application/ld+json"' in opening or "src=" in opening, opening
        assert " style=" not in text and "<style" not in text
        assert " onclick=" not in text.lower() and "javascript:" not in text.lower()


# --- hosts and proxies -----------------------------------------------------------------------


def test_a_forged_host_gets_no_page_of_ours(app):
    response = app.test_client().get(
        "/fr/", headers={"Host": "evil.example", "X-Forwarded-Host": "blog.localhost"}
    )
    assert response.status_code == 404
    assert "evil" not in response.text and "<a " not in response.text


def remote_addr_seen(app, headers: dict) -> tuple[str, str]:
    @app.get("/fr/whoami/")
    def whoami():
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    return tuple(
        app.test_client()
        .get(
            "/fr/whoami/", base_url=BLOG, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"}
        )
        .text.split()
    )


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_ignored_by_default(app):
    assert remote_addr_seen(app, FORWARDED) == ("10.0.0.1", "http")


def test_forwarded_headers_are_believed_behind_a_trusted_proxy(database_url):
    app = make_app({"DATABASE_URL": database_url, "TRUSTED_PROXIES": 1})
    assert remote_addr_seen(app, FORWARDED) == ("203.0.113.7", "https")
    # One proxy appends the address it saw: an address the client wrote before it is ignored.
    spoofed = {"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}
    app = make_app({"DATABASE_URL": database_url, "TRUSTED_PROXIES": 1})
    assert remote_addr_seen(app, spoofed)[0] == "203.0.113.7"
    app.extensions["db"]["engine"].dispose()


def test_login_throttling_counts_the_forwarded_address_only_behind_a_proxy(database_url, author):
    from sqlalchemy import select

    from blog.accounts import throttle_keys
    from blog.models import LoginFailure

    for proxies, address in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        expected = throttle_keys(author.email, address)[0]
        app = make_app({"DATABASE_URL": database_url, "TRUSTED_PROXIES": proxies})
        client = SiteClient(app, app.response_class, base_url=BLOG)
        token = csrf_from(client.get("/admin/login"))
        client.post(
            "/admin/login",
            data={"email": author.email, "password": "wrong", "csrf_token": token},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        with app.extensions["db"]["sessionmaker"]() as store:
            keys = set(store.scalars(select(LoginFailure.key)))
        assert expected in keys
        app.extensions["db"]["engine"].dispose()


# --- request ids, errors, limits -------------------------------------------------------------


def test_each_response_has_its_own_request_id(blog):
    first, second = blog.get("/fr/"), blog.get("/fr/")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    assert len(first.headers["X-Request-Id"]) == 32


def test_a_client_cannot_choose_the_request_id_but_a_trusted_proxy_can(app, database_url):
    chosen = {"X-Request-Id": "chosen-by-the-client"}
    response = app.test_client().get("/fr/", base_url=BLOG, headers=chosen)
    assert response.headers["X-Request-Id"] != "chosen-by-the-client"
    proxied = make_app({"DATABASE_URL": database_url, "TRUSTED_PROXIES": 1})
    response = proxied.test_client().get("/fr/", base_url=BLOG, headers=chosen)
    assert response.headers["X-Request-Id"] == "chosen-by-the-client"
    bad = {"X-Request-Id": "spaces and <angle> brackets"}
    response = proxied.test_client().get("/fr/", base_url=BLOG, headers=bad)
    assert security.REQUEST_ID.match(response.headers["X-Request-Id"])
    proxied.extensions["db"]["engine"].dispose()


def test_a_server_error_is_logged_with_its_request_id_and_shows_no_trace(app, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/en/boom/")
    def boom():
        raise RuntimeError("secret detail of the failure")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/en/boom/", base_url=BLOG)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
    request_id = response.headers["X-Request-Id"]
    logged = [r for r in caplog.records if "secret detail" in str(r.exc_info)]
    assert logged and logged[0].request_id == request_id
    formatted = logging.Formatter(security.LOG_FORMAT).format(logged[0])
    assert request_id in formatted


def test_a_body_over_the_limit_gets_the_localized_413_page(app, blog):
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = blog.post(
        "/admin/login", data={"email": "x" * 4096}, headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 413
    assert "Erreur 413" in response.text
    response = blog.get("/fr/", data="y" * 4096)
    assert response.status_code == 413


# --- debug and secrets in production ---------------------------------------------------------


def test_debug_is_refused_when_the_sites_are_https(tmp_path):
    config = {"DATABASE_URL": "sqlite://", "SITES_FILE": https_sites(tmp_path)}
    with pytest.raises(security.ConfigurationError, match="BLOG_SECRET_KEY"):
        make_app(config)
    with pytest.raises(security.ConfigurationError, match="BLOG_ALLOW_DEBUG"):
        make_app({**config, "SECRET_KEY": SECRET, "DEBUG": True})
    assert make_app({**config, "SECRET_KEY": SECRET, "DEBUG": True, "ALLOW_DEBUG": True})
    assert make_app({**config, "SECRET_KEY": SECRET})


def test_debug_from_the_environment_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("BLOG_SITES_FILE", https_sites(tmp_path))
    monkeypatch.setenv("BLOG_SECRET_KEY", SECRET)
    monkeypatch.setenv("BLOG_SCHEMA_CHECK", "false")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(security.ConfigurationError, match="Debug mode is on"):
        create_app()


def test_debug_stays_possible_in_development():
    assert make_app({"DATABASE_URL": "sqlite://", "DEBUG": True}).debug


# --- cookies ---------------------------------------------------------------------------------


def session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_cookie_flags_over_http(blog, author):
    token = csrf_from(blog.get("/admin/login"))
    response = blog.post(
        "/admin/login", data={"email": author.email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a development site on http would lose its session


def test_every_cookie_is_secure_on_an_https_site(https_blog, author):
    response = https_blog.get("/admin/login")
    assert "Secure" in session_cookie(response)
    token = csrf_from(response)
    response = https_blog.post(
        "/admin/login", data={"email": author.email, "password": PASSWORD, "csrf_token": token}
    )
    cookie = session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    language = https_blog.get("/language/en?next=/en/").headers["Set-Cookie"]
    assert language.startswith("lang=en") and "Secure" in language
