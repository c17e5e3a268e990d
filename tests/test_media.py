"""Uploaded files under /media/: served from MEDIA_DIR, never from anywhere else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import BLOG, BOOK, make_app

SECRET = "the secret outside the media folder"


@pytest.fixture
def media_app(database_url, tmp_path):
    media = tmp_path / "instance" / "media"
    (media / "img").mkdir(parents=True)
    (media / "img" / "river.jpg").write_bytes(b"\xff\xd8\xff river")
    (media / ".hidden").write_text(SECRET)
    (media / "page.html").write_text("<script>alert(1)</script>")
    (media / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    (media / "dossier-de-presse.pdf").write_bytes(b"%PDF-1.4 press kit")
    (media / "v").mkdir()
    (media / "v" / "river.0123456789.w480.webp").write_bytes(b"RIFF....WEBP")
    (tmp_path / "instance" / "secret.txt").write_text(SECRET)
    (tmp_path / "secret.txt").write_text(SECRET)
    os.symlink(tmp_path / "secret.txt", media / "link.txt")
    app = make_app({"DATABASE_URL": database_url, "MEDIA_DIR": str(media)})
    yield app
    app.extensions["db"]["engine"].dispose()


def get(app, path, base=BLOG):
    response = app.test_client().get(path, base_url=base)
    body = response.get_data()
    response.close()
    return response, body


@pytest.mark.parametrize("base", [BLOG, BOOK])
def test_a_media_file_is_served_on_every_site(media_app, base):
    response, body = get(media_app, "/media/img/river.jpg", base)
    assert response.status_code == 200
    assert body == b"\xff\xd8\xff river"
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_uploaded_page_cannot_run_script(media_app):
    response, _body = get(media_app, "/media/page.html")
    assert response.status_code == 200
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


TRAVERSALS = [
    "/media/../secret.txt",
    "/media/../../secret.txt",
    "/media/img/../../secret.txt",
    "/media/%2e%2e/secret.txt",
    "/media/%2e%2e%2fsecret.txt",
    "/media/..%2fsecret.txt",
    "/media/..%2f..%2fsecret.txt",
    "/media/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/media/.%2e/secret.txt",
    "/media/%252e%252e%252fsecret.txt",
    "/media/..%5csecret.txt",
    "/media/..\\secret.txt",
    "/media/img\\..\\..\\secret.txt",
    "/media/%5c..%5c..%5csecret.txt",
    "/media//etc/passwd",
    "/media/%2fetc%2fpasswd",
    "/media/%2Fetc/passwd",
    "/media/C:/Windows/win.ini",
    "/media/C:%5cWindows%5cwin.ini",
    "/media/secret.txt%00.jpg",
    "/media/img/river.jpg%00",
    "/media/%00../secret.txt",
    "/media/.hidden",
    "/media/img/./../.hidden",
    "/media/link.txt",
    "/media/%c0%ae%c0%ae/secret.txt",
    "/media/..%c0%afsecret.txt",
    "/media/img/",
    "/media/",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_media_folder_is_ever_served(media_app, path):
    response, body = get(media_app, path)
    assert response.status_code in (404, 308), path
    assert SECRET.encode() not in body
    assert b"root:" not in body
    if response.status_code == 308:
        # A merged double slash redirects within the folder, where nothing matches either.
        location = response.headers["Location"]
        assert location.startswith("/media/")
        again, body = get(media_app, location)
        assert again.status_code == 404 and SECRET.encode() not in body


def test_media_is_not_served_on_an_unknown_host(media_app):
    response, _body = get(media_app, "/media/img/river.jpg", "http://evil.example")
    assert response.status_code == 404


def test_the_media_folder_defaults_to_the_instance(database_url):
    from blog.config import media_dir

    app = make_app({"DATABASE_URL": database_url, "MEDIA_DIR": None})
    with app.app_context():
        assert media_dir() == Path(app.instance_path) / "media"


def test_a_missing_media_folder_is_a_404_not_an_error(database_url, tmp_path):
    app = make_app({"DATABASE_URL": database_url, "MEDIA_DIR": str(tmp_path / "none")})
    response, _body = get(app, "/media/x.jpg")
    assert response.status_code == 404
    app.extensions["db"]["engine"].dispose()


def test_fingerprinted_copies_are_cached_for_ever(media_app):
    response, _body = get(media_app, "/media/v/river.0123456789.w480.webp")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.cache_control.max_age == 31536000 and response.cache_control.immutable
    response, _body = get(media_app, "/media/img/river.jpg")
    assert response.cache_control.max_age == media_app.config["STATIC_MAX_AGE"]
    assert not response.cache_control.immutable


def test_a_document_is_a_download_with_its_type(media_app):
    response, body = get(media_app, "/media/dossier-de-presse.pdf")
    assert response.mimetype == "application/pdf" and body.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == "attachment; filename=dossier-de-presse.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/media/logo.svg", "/media/page.html"])
def test_active_content_is_never_served_as_such(media_app, path):
    response, _body = get(media_app, path)
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response.headers["Content-Security-Policy"]
