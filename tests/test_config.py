"""The sites file: read, validated, and refused with a message that says how to fix it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from blog.config import DEFAULTS, database_url
from blog.sitesfile import SitesFileError, catalog_languages, load_sites

from .helpers import SITES_FILE, make_app

ROOT = Path(__file__).parents[1]
SITES_TEXT = Path(SITES_FILE).read_text()


def app_with(tmp_path, text):
    path = tmp_path / "sites.toml"
    path.write_text(text)
    return make_app({"SITES_FILE": str(path), "DATABASE_URL": "sqlite://"})


def test_the_shipped_sites_file_is_valid():
    # Only valid: its origins, hosts and titles are the owner's to edit; tests use their copy.
    shipped = load_sites(DEFAULTS["SITES_FILE"], catalog_languages(DEFAULTS["TRANSLATIONS_DIR"]))
    assert [s.key for s in shipped]


def test_tests_read_their_own_sites_file(app):
    assert app.config["SITES_FILE"] == SITES_FILE != DEFAULTS["SITES_FILE"]


def test_the_sites_file_is_read(app):
    sites = app.extensions["sites"]
    assert [s.key for s in sites] == ["book", "blog"]
    book, blog = sites["book"], sites["blog"]
    assert book.languages == ("fr",) and not book.language_prefix
    assert blog.languages == ("fr", "en", "it") and blog.default_language == "fr"
    assert blog.language_prefix and blog.fallback == "show"
    assert "book.localhost" in book.hosts and "blog.localhost" in blog.hosts
    assert [shop.name for shop in book.shops][:1] == ["Librairie La Passerelle"]
    assert "shops" not in book.book and blog.shops == ()


@pytest.mark.parametrize(
    ("change", "key", "fix"),
    [
        (lambda t: t.replace('fallback = "hide"', 'fallback = "hide"\ncolour = "red"'),
         "sites.book.colour", "remove it"),
        (lambda t: t.replace('"blog.example.org"]', '"blog.example.org", "book.localhost"]'),
         "sites.blog.hosts", "give each host name to one site only"),
        (lambda t: t.replace('default_language = "fr"\nfallback = "show"',
                             'default_language = "de"\nfallback = "show"'),
         "sites.blog.default_language", "choose one of"),
        (lambda t: t.replace('languages = ["fr", "en", "it"]', 'languages = ["fr", "en", "pt"]'),
         "sites.blog.languages", "translate init pt"),
        (lambda t: t.replace('fallback = "show"', 'fallback = "maybe"'),
         "sites.blog.fallback", 'use "hide" or "show"'),
        (lambda t: t.replace('url = "http://blog.localhost:5000"', 'url = "blog.localhost"'),
         "sites.blog.url", "https://blog.example.org"),
        (lambda t: t.replace('kind = "blog"', 'kind = "wiki"'), "sites.blog.kind", "use one of"),
        (lambda t: t + "\n[extra]\nx = 1\n", "extra", "keep only [sites.*]"),
        (lambda t: t.replace("[sites.book]", "[sites.book"), "file", "correct it"),
        (lambda t: t.replace('url = "https://libraires.example', 'url = "javascript:alert(1)//'),
         "sites.book.book.shops[1].url", "https://"),
        (lambda t: t.replace('name = "Les Libraires indépendants"', 'name = ""'),
         "sites.book.book.shops[1].name", "name ="),
        (lambda t: t.replace('name = "Les Libraires indépendants"', 'shop = "x"'),
         "sites.book.book.shops[1]", "[[sites.book.book.shops]]"),
    ],
)  # fmt: skip
def test_broken_sites_file_names_file_key_and_fix(tmp_path, change, key, fix):
    with pytest.raises(SitesFileError) as refused:
        app_with(tmp_path, change(SITES_TEXT))
    message = str(refused.value)
    assert str(tmp_path / "sites.toml") in message
    assert f"[{key}]" in message
    assert fix in message


def test_missing_sites_file(tmp_path):
    with pytest.raises(SitesFileError, match="BLOG_SITES_FILE"):
        make_app({"SITES_FILE": str(tmp_path / "nope.toml"), "DATABASE_URL": "sqlite://"})


def test_languages_are_configuration(tmp_path):
    text = SITES_TEXT.replace('["fr", "en", "it"]', '["it", "fr"]')
    text = "\n".join(line for line in text.splitlines() if not line.startswith("en = "))
    old, new = (
        'default_language = "fr"\nfallback = "show"',
        'default_language = "it"\nfallback = "show"',
    )
    app = app_with(tmp_path, text.replace(old, new))
    assert app.extensions["sites"]["blog"].languages == ("it", "fr")
    response = app.test_client().get("/", headers={"Host": "blog.localhost"})
    assert response.headers["Location"] == "/it/"
    assert app.test_client().get("/en/", headers={"Host": "blog.localhost"}).status_code == 404


def test_the_app_refuses_to_start_with_a_broken_sites_file(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(SITES_TEXT.replace('default_language = "fr"\nfallback = "show"',
                                    'default_language = "de"\nfallback = "show"'))  # fmt: skip
    env = {**os.environ, "BLOG_SITES_FILE": str(path)}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    assert "sites.blog.default_language" in result.stderr


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url(configured, expected):
    assert database_url(configured, "/instance") == expected


def test_default_database_is_sqlite_in_the_instance_folder():
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/blog.sqlite3"
