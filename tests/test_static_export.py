"""flask export-static: every file is what the app serves, links resolve, runs are incremental."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from blog import workers
from blog.models import Post, Status, Term, TermKind
from blog.moving import static_site
from blog.moving.static_plan import file_name
from blog.moving.static_servers import NGINX_FILE

SITES = {
    "blog.localhost": "http://blog.localhost:5000",
    "book.localhost": "http://book.localhost:5000",
}
CONFIG_FILES = {static_site.MANIFEST, NGINX_FILE, ".htaccess"}

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(app, clock, make_post):
    """The demo store, plus a draft, a scheduled post and a trashed one that must stay private."""
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    when = clock() - timedelta(days=1)
    make_post(title="Secret draft", slug="secret-draft", status=Status.DRAFT, published_at=when)
    make_post(title="Secret future", slug="secret-future", published_at=clock() + timedelta(days=3))
    make_post(title="Secret trashed", slug="secret-trashed", published_at=when, deleted_at=when)
    return app


def export(app, directory: Path) -> static_site.Report:
    return static_site.export(app, static_site.plan(app), directory)


def exported(directory: Path) -> dict[str, bytes]:
    """Return {host/relative path: bytes} of every page file of an export."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file() and path.name not in CONFIG_FILES
    }


def address(name: str) -> tuple[str, str, str]:
    """Return (site URL, path, query) of an exported file, by the mapping the README gives."""
    host, _, relative = name.partition("/")
    folder, _, base = relative.rpartition("/")
    prefix = f"/{folder}/" if folder else "/"
    if base == "index.html":
        return SITES[host], prefix, ""
    if base.startswith("index.") and base.endswith(".html"):
        key, _, value = base[len("index.") : -len(".html")].partition("-")
        return SITES[host], prefix, f"{key}={value}"
    return SITES[host], prefix + base, ""


# The one value of a page that depends on the instant it was rendered: the comment form's
# token (blog/comments/service.form_token), dated so that a form sent too fast is held.
COMMENT_TOKEN = re.compile(rb'name="token" value="[0-9]+\.[0-9a-f]+"')
# The live blog's listings offer "only in my language" (a cookie); exported files read none.
ONLY_TOGGLE = re.compile(rb'<p class="only-toggle">.*?</p>\n?', re.DOTALL)


def same_page(live: bytes, exported: bytes) -> bool:
    return COMMENT_TOKEN.sub(b"", ONLY_TOGGLE.sub(b"", live)) == COMMENT_TOKEN.sub(b"", exported)


def assert_matches_live(app, directory: Path) -> dict[str, bytes]:
    """Request every exported file's address from the app: same bytes, same content type."""
    files = exported(directory)
    manifest = json.loads((directory / static_site.MANIFEST).read_text())["files"]
    assert set(files) == set(manifest)
    client = app.test_client(use_cookies=False)
    for name, body in files.items():
        base_url, path, query = address(name)
        response = client.get(path, query_string=query, base_url=base_url)
        assert response.status_code == 200, (name, response.status_code)
        assert same_page(response.get_data(), body), name
        assert response.content_type == manifest[name]["type"], name
        response.close()
    return files


def resolves(files: dict, site_host: str, path: str, query: str) -> bool:
    params = parse_qs(query)
    if params.get("page") == ["1"]:
        query = ""
    return f"{site_host}/{file_name(path, query)}" in files


def test_every_file_is_the_live_page_and_every_link_resolves(demo, tmp_path):
    result = demo.test_cli_runner().invoke(args=["export-static", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = assert_matches_live(demo, tmp_path)
    assert f"{len(files)} addresses: {len(files)} files written, 0 removed, 0 kept" in result.output
    kinds = {
        "blog.localhost/fr/index.html",
        "blog.localhost/en/index.page-2.html",
        "blog.localhost/it/index.notice-untranslated.html",
        "blog.localhost/fr/feed.atom",
        "blog.localhost/en/feed.json",
        "book.localhost/feed.rss",
        "book.localhost/index.html",
        "blog.localhost/sitemap.xml",
        "book.localhost/robots.txt",
        "book.localhost/static/site.css",
    }
    assert kinds <= set(files)
    assert any("/category/" in name and name.endswith("feed.rss") for name in files)
    assert any("/tag/" in name and name.endswith("index.html") for name in files)

    checked = 0
    for name, body in files.items():
        if not name.endswith(".html"):
            continue
        base_url, path, query = address(name)
        page_url = base_url + path + (f"?{query}" if query else "")
        tree = lxml_html.fromstring(body)
        for link in tree.xpath("//a/@href | //link/@href | //img/@src | //script/@src"):
            parts = urlsplit(urljoin(page_url, link))
            target_host = parts.hostname
            if parts.scheme not in ("http", "https") or target_host not in SITES:
                continue
            if target_host == "blog.localhost" and parts.path == "/":
                pass  # the bare / of the blog negotiates (the snippets; see the nginx test)
            elif parts.path.startswith("/language/"):
                code = parts.path.rsplit("/", 1)[1]
                target = urlsplit(parse_qs(parts.query)["next"][0])
                assert target.path.startswith(f"/{code}/"), (name, link)
                assert resolves(files, target_host, target.path, target.query), (name, link)
            else:
                assert resolves(files, target_host, parts.path, parts.query), (name, link)
            checked += 1
    assert checked > 1000

    for name, body in files.items():
        assert b"secret-" not in body and b"Secret " not in body, name


def test_the_export_asks_the_app_what_a_test_client_would(app, clock, make_post, media_folder):
    """The export calls the app itself, without a test client: the same request, byte for byte
    (a name that needs escaping, a query, a page that is not there)."""
    when = clock() - timedelta(days=1)
    for n in range(12):
        make_post(title=f"Note {n}", slug=f"note-{n}", published_at=when - timedelta(hours=n))
    (media_folder / "notes d’été 100%.txt").write_text("Un fichier.", encoding="utf-8")
    targets = {(t.site.key, t.path, t.query): t for t in static_site.plan(app).targets}
    media = next(t for key, t in targets.items() if key[1].startswith("/media/notes"))
    site = media.site
    asked = [
        media,
        next(t for key, t in targets.items() if key[0] == "blog" and key[2] == "page=2"),
        next(t for key, t in targets.items() if key[0] == "blog" and key[1].endswith(".atom")),
        static_site.Target(site, "/fr/caf%C3%A9/", "x=%C3%A9"),
        static_site.Target(site, "/fr/été/", ""),
    ]
    client = app.test_client(use_cookies=False)
    for target in asked:
        base = static_site.base_environ(target.site.url)
        status, content_type, body = static_site.request(app, base, target)
        response = client.get(target.path, query_string=target.query, base_url=target.site.url)
        assert (status, content_type) == (response.status_code, response.content_type), target
        assert body == response.get_data(), target
        response.close()
    base = static_site.base_environ(site.url)
    assert static_site.request(app, base, media)[2] == b"Un fichier."


def exported_again(app, directory: Path, session, clock, before: dict) -> tuple[dict, set]:
    """Commit the session's edit and export again: return the files, each checked against the
    live page, and the names of those whose bytes changed."""
    session.commit()
    clock.advance(seconds=1)
    export(app, directory)
    after = assert_matches_live(app, directory)
    return after, {name for name in after if before.get(name) != after[name]}


@pytest.mark.once  # which files are written: the same on any database
def test_a_second_run_writes_only_what_an_edit_changed(demo, tmp_path, session, clock, monkeypatch):
    first = export(demo, tmp_path)
    assert first.written > 300 and first.removed == 0
    again = export(demo, tmp_path)
    assert (again.written, again.removed, again.kept) == (0, 0, first.written)
    # Stamps spare the rendering of nearly every page (the sitemaps are always rendered).
    assert again.rendered <= 4

    before = exported(tmp_path)
    post = session.query(Post).filter_by(slug="why-rivers-vanish-from-maps").one()
    post.title = "Why rivers vanish from maps, revisited"
    session.commit()
    clock.advance(seconds=1)
    asked, request = [], static_site.request
    monkeypatch.setattr(
        static_site, "request", lambda *args: asked.append(args[2].url) or request(*args)
    )
    edited = static_site.export(demo, static_site.plan(demo), tmp_path, processes=1)
    monkeypatch.undo()
    after = assert_matches_live(demo, tmp_path)
    changed = {name for name in after if before.get(name) != after[name]}
    assert edited.written == len(changed)
    assert 0 < len(changed) < len(after) / 5
    page = next(name for name in changed if "why-rivers-vanish-from-maps/" in name)
    assert page.startswith("blog.localhost/en/")
    assert edited.rendered < first.written / 3
    # A new title moves no count: the archive's and the categories' indexes are not rendered.
    assert len(asked) == edited.rendered
    assert not any(url.endswith(("/archive/", "/category/")) for url in asked)

    # A new date moves the post to another month: the archive's index counts it there.
    post.published_at -= timedelta(days=45)
    after, changed = exported_again(demo, tmp_path, session, clock, after)
    assert "blog.localhost/en/archive/index.html" in changed

    # A new category: the categories' index counts the post under it.
    category = next(
        term
        for term in session.scalars(select(Term).where(Term.kind == TermKind.CATEGORY))
        if term not in post.terms
    )
    post.terms.append(category)
    after, changed = exported_again(demo, tmp_path, session, clock, after)
    assert "blog.localhost/en/category/index.html" in changed

    post.deleted_at = clock()
    session.commit()
    trashed = export(demo, tmp_path)
    assert trashed.removed >= 1
    assert not (tmp_path / page).exists()
    assert_matches_live(demo, tmp_path)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.once  # which files are written: the same on any database
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_serves_the_export_as_the_app_does(demo, tmp_path):
    import http.client

    root = tmp_path / "export"
    export(demo, root)
    port = _free_port()
    snippet = (root / NGINX_FILE).read_text().replace("listen 80;", f"listen 127.0.0.1:{port};")
    (tmp_path / "sites.conf").write_text(snippet)
    # As root, nginx's workers would run as nobody, who cannot read pytest's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; include {tmp_path}/sites.conf; }}\n"
    )
    server = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"]
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)

        def get(host, path, **headers):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path, headers={"Host": host, **headers})
            try:
                response = connection.getresponse()
                return response, response.read()
            finally:
                connection.close()

        app_client = demo.test_client(use_cookies=False)
        for headers, language in (
            ({"Accept-Language": "en-US,en;q=0.9,fr;q=0.8"}, "en"),
            ({"Accept-Language": "de-DE,de;q=0.9,it;q=0.5"}, "it"),
            ({"Accept-Language": "en", "Cookie": "lang=it"}, "it"),
            ({}, "fr"),
        ):
            response, _ = get("blog.localhost", "/", **headers)
            live = app_client.get("/", base_url=SITES["blog.localhost"], headers=headers)
            assert response.status == live.status_code == 302
            assert response.getheader("Location") == live.location == f"/{language}/"
            assert "Accept-Language" in response.getheader("Vary")
        for name in (
            "blog.localhost/en/index.page-2.html",
            "blog.localhost/fr/feed.atom",
            "book.localhost/feed.json",
            "book.localhost/robots.txt",
        ):
            base_url, path, query = address(name)
            response, body = get(name.split("/")[0], path + (f"?{query}" if query else ""))
            live = app_client.get(path, query_string=query, base_url=base_url)
            log = (tmp_path / "error.log").read_text()
            assert response.status == 200 and same_page(live.get_data(), body), (name, log)
            assert response.getheader("Content-Type") == live.content_type, name
        response, _ = get("blog.localhost", "/language/en?next=%2Fen%2Fcategory%2Ffieldwork%2F")
        assert response.status == 303
        assert response.getheader("Location") == "/en/category/fieldwork/"
        assert response.getheader("Set-Cookie").startswith("lang=en;")
        response, _ = get("blog.localhost", "/language/en?next=%2F%2Fevil.example%2F")
        assert response.getheader("Location") == "/en/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.once  # which files are written: the same on any database
@pytest.mark.skipif(not workers.can_fork(), reason="no fork on this platform")
def test_worker_processes_write_what_one_process_writes(demo, tmp_path):
    plan = static_site.plan(demo)
    # Enough pages for map_in_order to hand them to forked workers rather than keep them.
    assert len(plan.targets) > 4 * workers.MIN_ITEMS
    alone = static_site.export(demo, plan, tmp_path / "alone", processes=1)
    shared = static_site.export(demo, plan, tmp_path / "shared", processes=2)
    assert alone.failed == shared.failed == []
    assert alone.written == shared.written == len(plan.targets)
    assert exported(tmp_path / "alone") == exported(tmp_path / "shared")
    manifests = [
        json.loads((tmp_path / folder / static_site.MANIFEST).read_text())["files"]
        for folder in ("alone", "shared")
    ]
    assert manifests[0] == manifests[1]
    # The parent's pool was emptied for the fork; it still answers afterwards.
    assert_matches_live(demo, tmp_path / "shared")
