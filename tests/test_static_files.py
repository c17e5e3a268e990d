"""Static files: fingerprinted names in every page, immutable for a year; plain names still work."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from .helpers import BLOG, BOOK

STATIC = Path(__file__).parents[1] / "blog" / "static"
LINKED = re.compile(r'(?:href|src)="(/static/[^"]+)"')
YEAR = "public, max-age=31536000, immutable"


def fetch(client, path: str, **kwargs):
    """Return a response read whole, its file closed (a static file is sent from disk)."""
    with client.get(path, **kwargs) as response:
        response.get_data()
    return response


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


@pytest.mark.parametrize(("base", "path"), [(BLOG, "/en/"), (BOOK, "/"), (BLOG, "/admin/login")])
def test_pages_link_static_files_by_their_fingerprinted_names(app, base, path):
    page = app.test_client().get(path, base_url=base)
    links = LINKED.findall(page.text)
    assert links, "the page links no static file"
    for link in links:
        stem, found, suffix = link.removeprefix("/static/").rsplit(".", 2)
        source = STATIC / f"{stem}.{suffix}"
        assert found == digest(source), link
        response = fetch(app.test_client(), link, base_url=base)
        assert response.status_code == 200
        assert response.data == source.read_bytes()
        assert response.headers["Cache-Control"] == YEAR


def test_structured_data_names_the_cover_by_its_fingerprint(book):
    cover = STATIC / "img" / "cover.svg"
    assert f"/static/img/cover.{digest(cover)}.svg" in book.get("/").text


def test_the_plain_name_keeps_working_with_a_short_cache(app, blog):
    response = fetch(blog, "/static/site.css")
    assert response.status_code == 200
    assert response.data == (STATIC / "site.css").read_bytes()
    assert response.headers["Cache-Control"] == f"public, max-age={app.config['STATIC_MAX_AGE']}"


def test_an_outdated_fingerprint_gets_the_file_but_no_promise(blog):
    # A page rendered before a deploy names the old content: the reader gets the new one, but
    # nothing may keep it a year under a name that promised other bytes.
    response = fetch(blog, "/static/site.00000000.css")
    assert response.status_code == 200
    assert response.data == (STATIC / "site.css").read_bytes()
    assert "immutable" not in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/missing.0123abcd.css",
        "/static/../blog/urls.py",
        "/static/..%2fblog%2furls.py",
        "/static/site.css/..%2f..%2fapp.py",
    ],
)
def test_what_is_not_a_static_file_is_not_found(blog, path):
    assert fetch(blog, path).status_code == 404


def test_a_changed_file_gets_a_new_name_in_debug_mode(app, blog, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    app.static_folder = str(folder)
    app.debug = True
    before = LINKED.findall(blog.get("/en/").text)
    (folder / "site.css").write_text("body { color: black }\n")
    after = LINKED.findall(blog.get("/en/").text)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        (
            f"/static/site.{digest(STATIC / 'site.css')}.css",
            f"/static/site.{digest(folder / 'site.css')}.css",
        )
    ]
    assert fetch(blog, changed[0][1]).data == b"body { color: black }\n"
    assert "immutable" not in fetch(blog, changed[0][0]).headers["Cache-Control"]
