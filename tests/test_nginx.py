"""deploy/nginx.conf as shipped, in front of gunicorn as the README runs it: what it caches.

The configuration is rendered with free ports and temporary folders (tools/nginxconf.py), and
nginx runs as the current user with everything it writes under a temporary prefix. Whether an
answer came from the micro-cache is read from X-Cache-Status; whether gunicorn rendered it,
from X-Request-Id (each rendering gets a new one, a cached copy keeps it).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tools import nginxconf

from .helpers import PASSWORD, SITES_FILE

pytestmark = [pytest.mark.slow, pytest.mark.once]  # nginx and gunicorn subprocesses

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "blog" / "static"
BLOG, BOOK = "blog.localhost", "book.localhost"
# What the configuration promises (deploy/nginx.conf and the README): a publish shows within a
# second plus one rendering. The polls below allow the rendering a busy machine's slack.
CACHE_SECONDS = 1
SLACK_SECONDS = 10
YEAR = "public, max-age=31536000, immutable"
CSS_LINK = re.compile(r'href="(/static/site\.[0-9a-f]{8}\.css)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], port: int, log: Path, **options):
    """Run a server until the block ends; fail with its log if it never listens on `port`."""
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **options)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} never listened on {port}: {log.read_text()}")
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.data = response.read()

    @property
    def text(self) -> str:
        return self.data.decode()

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache-Status")

    @property
    def rendering(self) -> str | None:
        return self.headers.get("X-Request-Id")


class Proxy:
    """Requests to nginx, with a Host header and the cookies a browser would send."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, host: str = BLOG, body=None, **headers) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            names = {k.replace("_", "-"): v for k, v in headers.items()}
            connection.request(method, path, body=body, headers={"Host": host, **names})
            return Answer(connection.getresponse())
        finally:
            connection.close()

    def get(self, path: str, host: str = BLOG, **headers) -> Answer:
        return self.request("GET", path, host, **headers)

    def until(self, path: str, check, **headers) -> Answer:
        """Ask for `path` until `check(answer)` holds; fail after the documented delay."""
        deadline = time.monotonic() + CACHE_SECONDS + SLACK_SECONDS
        while True:
            answer = self.get(path, **headers)
            if check(answer):
                return answer
            if time.monotonic() > deadline:
                pytest.fail(f"{path} did not change within the delay: {answer.text[:300]}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def proxy(database_url, tmp_path_factory):
    """nginx with deploy/nginx.conf in front of `gunicorn app:app` (README, Deploying)."""
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (apt-get install nginx; CI installs it)")
    run = tmp_path_factory.mktemp("nginx")
    media = run / "media"
    (media / "2025").mkdir(parents=True)
    (media / "2025" / "river.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (media / "communique.pdf").write_bytes(b"%PDF-1.4 press")
    (media / "v").mkdir()
    (media / "v" / "river.0123456789.w480.webp").write_bytes(b"RIFF....WEBP")
    (media / ".secret").write_text("not for readers")
    app_port, port = free_port(), free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BLOG_SITES_FILE": SITES_FILE,
        "BLOG_MEDIA_DIR": str(media),
        "BLOG_SECRET_KEY": "a secret for the nginx test, long enough to look real",
        "BLOG_TRUSTED_PROXIES": "1",
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{app_port}"]
    with serving([*gunicorn, "app:app"], app_port, run / "gunicorn.log", cwd=ROOT, env=environment):
        servers = nginxconf.render(
            port=port,
            upstream=app_port,
            static_dir=STATIC,
            media_dir=media,
            cache_dir=run / "cache",
        )
        conf = nginxconf.whole(run / "prefix", servers)
        command = ["nginx", "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        with serving([*command, "-g", "daemon off;"], port, run / "nginx.log"):
            yield Proxy(port)


def test_a_page_asked_twice_is_served_from_the_cache(proxy, make_post):
    make_post(language="en", title="Cached once")
    first = proxy.until("/en/", lambda a: "Cached once" in a.text)
    again = proxy.get("/en/")
    assert again.cache == "HIT"
    assert again.rendering == first.rendering  # gunicorn rendered it once
    assert again.data == first.data


def test_a_publish_and_an_unpublish_show_within_the_delay(proxy, make_post, session):
    proxy.get("/en/")
    assert proxy.get("/en/").cache == "HIT"
    post = make_post(language="en", title="Fresh news", slug="fresh-news")
    proxy.until("/en/", lambda a: "Fresh news" in a.text)
    post.status = "draft"
    session.commit()
    proxy.until("/en/", lambda a: "Fresh news" not in a.text)
    address = "/en/2025/03/fresh-news/"
    proxy.until(address, lambda a: a.status == 404)


def test_a_scheduled_post_shows_when_due_without_a_write(proxy, make_post):
    # gunicorn reads the system clock: a post due in two seconds stands in for the moment.
    due = datetime.now(UTC) + timedelta(seconds=2)
    make_post(language="en", title="Right on time", published_at=due)
    assert "Right on time" not in proxy.get("/en/").text
    proxy.until("/en/", lambda a: "Right on time" in a.text)


def test_french_and_english_homes_never_cross(proxy, make_post):
    french = make_post(language="fr", title="Un texte français")
    make_post(language="en", title="An English text", translation_of=french)
    for _ in range(3):
        for language in ("en", "fr", "it"):
            bare = proxy.get("/", Accept_Language=language)
            assert bare.status == 302 and bare.cache == "MISS", language
            assert bare.headers["Location"].endswith(f"/{language}/")
            chosen = proxy.get("/", Accept_Language="fr", Cookie=f"lang={language}")
            assert chosen.headers["Location"].endswith(f"/{language}/")
            home = proxy.get(f"/{language}/")
            assert f'<html lang="{language}">' in home.text
    english = proxy.until("/en/", lambda a: "An English text" in a.text)
    assert "Un texte français" not in english.text
    french = proxy.until("/fr/", lambda a: "Un texte français" in a.text)
    assert "An English text" not in french.text


def sign_in(proxy: Proxy, author) -> str:
    """Sign in through nginx as a browser would; return the session cookie."""
    form = proxy.get("/admin/login")
    cookie = session_cookie(form)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    body = f"email={author.email}&password={PASSWORD.replace(' ', '+')}&csrf_token={token}"
    answer = proxy.request(
        "POST", "/admin/login", body=body, Cookie=cookie,
        Content_Type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status == 302, answer.text[:500]
    return session_cookie(answer)


def session_cookie(answer: Answer) -> str:
    cookies = [c.split(";", 1)[0] for c in answer.headers.get_all("Set-Cookie", [])]
    return next(c for c in cookies if c.startswith("session="))


def test_an_author_is_never_served_from_nor_into_the_cache(proxy, author, make_post):
    make_post(language="en", title="Public text")
    session = sign_in(proxy, author)
    desk = [proxy.get("/admin/", Cookie=session) for _ in range(2)]
    assert all(a.status == 200 and "Sign out" in a.text for a in desk)
    assert all(a.cache is None for a in desk)  # the desk's location has no cache at all
    assert desk[0].rendering != desk[1].rendering
    # A public page, asked by the author: rendered for them, and not stored for others.
    proxy.get("/en/")
    assert proxy.get("/en/").cache == "HIT"
    seen = proxy.get("/en/", Cookie=session)
    assert seen.cache == "BYPASS"
    reader = proxy.get("/en/")
    assert reader.rendering != seen.rendering
    assert "Sign out" not in reader.text


def test_answers_that_set_a_cookie_or_are_not_get_are_never_stored(proxy):
    switches = [proxy.get("/language/en?next=/en/") for _ in range(2)]
    for answer in switches:
        assert answer.status in (302, 303) and "lang=en" in answer.headers["Set-Cookie"]
        assert answer.cache == "MISS"
    posts = [proxy.request("POST", "/en/", body="") for _ in range(2)]
    assert all(a.status == 405 and a.cache != "HIT" for a in posts)


def test_static_files_are_served_from_disk_immutable_when_fingerprinted(proxy):
    page = proxy.get("/en/")
    link = CSS_LINK.search(page.text).group(1)
    css = proxy.get(link)
    assert css.status == 200 and css.data == (STATIC / "site.css").read_bytes()
    assert css.headers["Cache-Control"] == YEAR
    assert css.rendering is None  # nginx answered, not the app
    plain = proxy.get("/static/site.css")
    assert plain.data == css.data and plain.headers["Cache-Control"] == "public, max-age=3600"
    digest = hashlib.sha256((STATIC / "img" / "cover.svg").read_bytes()).hexdigest()[:8]
    assert proxy.get(f"/static/img/cover.{digest}.svg", host=BOOK).headers["Cache-Control"] == YEAR
    assert proxy.get("/static/nothing.0123abcd.css").status == 404
    # The name's stem goes into a file path: nothing may climb out of the folder.
    for path in ("/static/..%2f__init__.0123abcd.py", "/static/img/..%2F..%2furls.0123abcd.py"):
        answer = proxy.get(path)
        assert answer.status in (400, 404) and b"import" not in answer.data, path


def test_media_files_keep_the_apps_policy(proxy):
    river = proxy.get("/media/2025/river.svg")
    assert river.status == 200 and river.data.startswith(b"<svg")
    assert "sandbox" in river.headers["Content-Security-Policy"]
    assert river.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=86400" in river.headers["Cache-Control"]
    # Like the app: never served as an image or a page that could run, but to download.
    assert river.headers["Content-Type"].startswith("text/plain")
    assert river.headers["Content-Disposition"] == "attachment"
    assert proxy.get("/media/.secret").status == 404
    press = proxy.get("/media/communique.pdf")
    assert press.status == 200 and press.headers["Content-Type"] == "application/pdf"
    assert press.headers["Content-Disposition"] == "attachment"
    assert "sandbox" in press.headers["Content-Security-Policy"]
    copy = proxy.get("/media/v/river.0123456789.w480.webp")
    assert copy.status == 200 and copy.headers["Cache-Control"] == YEAR
    assert "sandbox" in copy.headers["Content-Security-Policy"]


def test_text_is_compressed(proxy, make_post):
    for n in range(5):
        make_post(language="en", title=f"Long enough {n}")
    plain = proxy.until("/en/", lambda a: "Long enough 4" in a.text)
    packed = proxy.get("/en/", Accept_Encoding="gzip")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    if packed.rendering == plain.rendering:  # the same cached copy, compressed on the way out
        assert gzip.decompress(packed.data) == plain.data
    css = proxy.get("/static/site.css", Accept_Encoding="gzip")
    assert css.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(css.data) == (STATIC / "site.css").read_bytes()


def test_sitemaps_are_cached_once_for_every_reader(proxy, make_post):
    make_post(language="en", slug="mapped")
    proxy.until("/sitemap-1.xml", lambda a: "/mapped/" in a.text)
    answers = [proxy.get("/sitemap.xml", Accept_Language=lang) for lang in ("en", "fr", "it")]
    assert answers[-1].cache == "HIT"
    assert len({a.rendering for a in answers}) == 1


def test_a_readers_choice_of_one_language_never_reaches_another(proxy, make_post):
    make_post(language="en", title="In English")
    make_post(language="fr", title="Seulement en français")
    everyone = proxy.until("/en/", lambda a: "Seulement en français" in a.text)
    assert "Cookie" in ", ".join(everyone.headers.get_all("Vary"))
    for _ in range(2):
        chooser = proxy.get("/en/", Cookie="only=1")
        assert chooser.cache == "BYPASS"
        assert "In English" in chooser.text and "Seulement en français" not in chooser.text
        reader = proxy.get("/en/")
        assert "Seulement en français" in reader.text
    assert proxy.get("/en/").cache == "HIT"
