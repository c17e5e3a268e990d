"""Bad requests get the status that names the problem: 400, 404 or 405, never a 500."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.helpers import BLOG, BOOK, SITES_FILE, gunicorn

# Each URL of both sites: pages, listings, feeds, sitemap, the desk's sign-in.
URLS = {
    BLOG: ["/", "/en/", "/fr/2025/03/x/", "/en/about/", "/en/category/c/", "/en/tag/t/",
           "/en/2025/", "/en/feed.rss", "/sitemap.xml", "/sitemap-1.xml", "/robots.txt",
           "/admin/login", "/nothing-here"],
    BOOK: ["/", "/2025/03/x/", "/about/", "/category/c/", "/feed.atom", "/sitemap.xml",
           "/admin/login"],
}  # fmt: skip
ODD_IDS = ["²", "³", "①", "٣", "𝟗", "1²", "12" * 20, "-1", "+1", " 1", "0x1", "1_000"]
NO_SITE = "No site is configured"
ROOT = Path(__file__).resolve().parent.parent


def every_url():
    return [(base, path) for base, paths in URLS.items() for path in paths]


@pytest.mark.parametrize("value", ODD_IDS)
@pytest.mark.parametrize("name", ["p", "page_id"])
def test_odd_ids_are_not_found_not_a_server_error(app, name, value):
    client = app.test_client()
    for base, path in every_url():
        response = client.get(path, query_string={name: value}, base_url=base)
        assert response.status_code < 500, (base, path, response.status_code)
        assert NO_SITE not in response.text


def test_an_ascii_id_still_finds_an_old_address(app, blog, make_post, session):
    from blog.models import OldAddress

    post = make_post(language="en", slug="kept")
    session.add(OldAddress(site="blog", path="/", query="p=7", post_id=post.id))
    session.commit()
    assert blog.get("/?p=7").status_code == 301
    assert blog.get("/?p=７").status_code in (302, 404)  # a fullwidth 7 names nothing


@pytest.mark.parametrize("base", [BLOG, BOOK])
def test_an_early_server_error_shows_the_sites_own_page(app, base):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fail():
        raise RuntimeError("before the site is known")

    app.before_request_funcs.setdefault(None, []).insert(0, fail)
    response = app.test_client().get("/", base_url=base)
    assert response.status_code == 500
    assert NO_SITE not in response.text
    assert "Something went wrong on our side" in response.text or "Erreur" in response.text
    unknown = app.test_client().get("/", base_url="http://elsewhere.example")
    assert unknown.status_code == 500 and NO_SITE in unknown.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize(("base", "path"), every_url())
def test_unsupported_methods_on_public_pages_get_405_with_allow(app, method, base, path):
    response = app.test_client().open(path, method=method, base_url=base)
    if path == "/nothing-here":
        assert response.status_code == 404
        return
    if path == "/":
        assert response.status_code in (302, 405)  # the blog's bare / redirects to a language
        return
    assert response.status_code == 405, (base, path, response.status_code)
    assert "GET" in response.headers["Allow"]
    assert NO_SITE not in response.text


@pytest.fixture(params=["werkzeug", "gunicorn"])
def server(request, app, database_url, tmp_path):
    """The app behind a real HTTP server, for requests that no test client can make."""
    if request.param == "werkzeug":
        httpd = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield httpd.server_port
        httpd.shutdown()
        thread.join()
        return
    environment = {"DATABASE_URL": database_url, "BLOG_SITES_FILE": SITES_FILE}
    with gunicorn(environment, tmp_path / "gunicorn.log", "blog:create_app()") as port:
        yield port


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)  # the client is done: a cut body stays cut
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


BROKEN_BODIES = [
    b"zz\r\nemail=a\r\n0\r\n\r\n",  # a chunk size that is not hexadecimal
    b"5\r\nemail=a@b\r\n0\r\n\r\n",  # a chunk longer than its size
    b"-3\r\nabc\r\n0\r\n\r\n",  # a negative chunk size
]


CHUNKED_TARGETS = [
    ("blog.localhost", "/admin/login", b"400"),
    ("book.localhost", "/admin/login", b"400"),
    ("blog.localhost", "/admin/posts/new", b"400"),
    ("blog.localhost", "/en/", b"405"),
]


def test_a_broken_chunked_body_gets_400(server):
    # One server for every case: starting gunicorn is the slow part.
    for host, path, expected in CHUNKED_TARGETS:
        for body in BROKEN_BODIES:
            answer = raw(
                server,
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Transfer-Encoding: chunked\r\n\r\n".encode()
                + body,
            )
            status = answer.split(b"\r\n", 1)[0]
            assert expected in status, (host, path, body, answer[:300])
