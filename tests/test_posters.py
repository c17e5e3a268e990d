"""Embeds' posters: fetched once when a text is saved, kept re-encoded, never fetched for a reader.

The providers are played by a local HTTP server (http.server in a thread): YouTube's picture
address and the oEmbed endpoints of the others are settings (EMBED_POSTER_SOURCES).
"""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from blog import posters
from blog.models import Post

from .helpers import image_bytes

YOUTUBE = "https://www.youtube.com/watch?v=aqz-KE-bpKQ"


def _jpeg_with_location() -> bytes:
    image = Image.new("RGB", (480, 360), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0)}  # GPS: the place it was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class Provider(BaseHTTPRequestHandler):
    """YouTube's pictures and the oEmbed endpoints, as the providers answer them."""

    def do_GET(self):
        self.server.asked.append(self.path)
        parts = urlsplit(self.path)
        base = f"http://127.0.0.1:{self.server.server_port}"
        page = parse_qs(parts.query).get("url", [""])[0]
        if parts.path.startswith("/vi/"):
            video = parts.path.split("/")[2]
            if video == "aqz-KE-bpKQ":
                return self._send(_jpeg_with_location(), "image/jpeg")
            if video == "hugepicture":
                return self._send(b"\xff\xd8\xff" + b"0" * 300_000, "image/jpeg")
            if video == "notapicture":
                return self._send(b"<html><script>alert(1)</script></html>", "image/jpeg")
            return self._send(b"not found", "text/plain", 404)
        if parts.path.startswith("/oembed"):
            if "nothumbnail" in page:
                return self._send(json.dumps({"type": "video"}).encode(), "application/json")
            if "notjson" in page:
                return self._send(b"<html>", "text/html")
            if "elsewhere" in page:
                answer = {"thumbnail_url": "file:///etc/passwd"}
                return self._send(json.dumps(answer).encode(), "application/json")
            answer = {"type": "video", "thumbnail_url": f"{base}/thumbnail.png?for={page}"}
            return self._send(json.dumps(answer).encode(), "application/json")
        if parts.path == "/thumbnail.png":
            return self._send(image_bytes(500, 500), "image/png")
        return self._send(b"not found", "text/plain", 404)

    def _send(self, body: bytes, kind: str, status: int = 200):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture(scope="module")
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    server.asked = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetching(app, provider, media_folder):
    """The app with posters on, its providers played by the local server."""
    base = f"http://127.0.0.1:{provider.server_port}"
    app.config.update(
        EMBED_POSTERS=True,
        EMBED_POSTER_MAX_SIZE=200_000,
        EMBED_POSTER_TIMEOUT=2.0,
        EMBED_POSTER_SOURCES={
            "YouTube": base + "/vi/{id}/hqdefault.jpg",
            "Vimeo": base + "/oembed/vimeo?url={url}",
            "Dailymotion": base + "/oembed/dailymotion?url={url}",
            "SoundCloud": base + "/oembed/soundcloud?url={url}",
            "PeerTube": base + "/oembed/peertube/{host}?url={url}",
        },
    )
    provider.asked.clear()
    return provider


def post_form(**overrides):
    data = {
        "title": "La soirée de lancement",
        "slug": "la-soiree-de-lancement",
        "language": "fr",
        "home_site": "blog",
        "summary": "",
        "source": f"La soirée, filmée :\n\n{YOUTUBE}\n\nMerci à tous.",
        "status": "published",
        "published_at": "",
        "tags": "",
        "kind": "post",
        "version": "",
        "featured_media": "",
        "action": "save",
    }
    return {**data, **overrides}


def test_a_poster_is_fetched_once_at_save_and_never_for_readers(
    fetching, desk, blog, session, media_folder
):
    response = desk.send("/admin/posts/new", post_form())
    assert response.status_code == 302, response.text
    assert fetching.asked == ["/vi/aqz-KE-bpKQ/hqdefault.jpg"]
    [kept] = (media_folder / "posters").iterdir()
    post = session.query(Post).one()
    address = f"/media/posters/{kept.name}"
    assert f'<img class="embed-poster" src="{address}" alt="" width="640" height="360"' in post.html
    assert "embed-has-poster" in post.html
    # Saved again: the poster is kept, not fetched again; read: never fetched.
    form = post_form(version=str(post.version), source=post.source + "\n\nEncore merci.")
    assert desk.send(f"/admin/posts/{post.id}", form).status_code == 302
    page = blog.get("/fr/")
    assert page.status_code == 200
    article = blog.get(_post_path(post))
    assert address in article.text
    assert fetching.asked == ["/vi/aqz-KE-bpKQ/hqdefault.jpg"]
    # Served from the site, encoded again: a plain JPEG of the poster's size, without EXIF.
    served = blog.get(address)
    data = served.get_data()
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.cache_control.immutable and served.cache_control.max_age > 30 * 24 * 3600
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (640, 360)
        assert not image.getexif() and "exif" not in image.info


def _post_path(post: Post) -> str:
    return f"/fr/{post.published_at:%Y/%m}/{post.slug}/"


@pytest.mark.parametrize(
    ("url", "size"),
    [
        ("https://vimeo.com/76979871", (640, 360)),
        ("https://www.dailymotion.com/video/x8abcd1", (640, 360)),
        ("https://soundcloud.com/claire-vautrin/entretien-radio", (360, 360)),
        ("https://framatube.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d", (640, 360)),
    ],
)
def test_other_providers_posters_come_through_their_oembed_endpoint(fetching, app, url, size):
    with app.app_context():
        assert posters.fetch_missing(f"{url}\n") == []
        kept = posters.stored(url)
        [poster] = kept.values()
        assert (poster.width, poster.height) == size
        html = posters_rendered(url, kept)
    endpoint, picture = fetching.asked
    assert endpoint.startswith("/oembed/") and "url=" in endpoint
    assert picture.startswith("/thumbnail.png")
    if "framatube" in url:
        assert endpoint.startswith("/oembed/peertube/framatube.org")
    assert f'src="{poster.path}"' in html


def posters_rendered(source: str, kept) -> str:
    from blog.rendering import render_markdown

    return render_markdown(source, "fr", posters=kept)


@pytest.mark.parametrize(
    "source",
    [
        "https://www.youtube.com/watch?v=missingvide",  # 404
        "https://www.youtube.com/watch?v=hugepicture",  # past EMBED_POSTER_MAX_SIZE
        "https://www.youtube.com/watch?v=notapicture",  # HTML where a picture should be
        "https://vimeo.com/1111111?nothumbnail",
        "https://vimeo.com/2222222?notjson",
        "https://vimeo.com/3333333?elsewhere",  # a thumbnail_url that is no web address
    ],
)
def test_no_poster_leaves_the_neutral_placeholder(fetching, app, media_folder, source):
    with app.app_context():
        assert posters.fetch_missing(source) == [source]
        assert posters.stored(source) == {}
        html = posters_rendered(source, posters.stored(source))
    assert "embed-poster" not in html and '<span class="embed-provider">' in html
    assert not (media_folder / "posters").exists() or not any((media_folder / "posters").iterdir())


def test_offline_or_switched_off_nothing_is_fetched(fetching, app):
    with app.app_context():
        app.config["EMBED_POSTERS"] = False
        assert posters.fetch_missing(YOUTUBE) == []
        assert fetching.asked == []
        app.config["EMBED_POSTERS"] = True
        # Nobody listens there: refused at once, the placeholder stays.
        app.config["EMBED_POSTER_SOURCES"] = {"YouTube": "http://127.0.0.1:9/vi/{id}/x.jpg"}
        assert posters.fetch_missing(YOUTUBE) == [YOUTUBE]
        assert posters.stored(YOUTUBE) == {}


def test_posters_of_a_text_are_found_once_each_and_only_for_providers(app):
    source = (
        f"{YOUTUBE}\n\n[la même]({YOUTUBE}).\n\nhttps://example.org/video\n\n"
        "https://vimeo.com/76979871, puis https://youtu.be/aqz-KE-bpKQ."
    )
    with app.app_context():
        found = posters.videos_in(source)
    assert [v.provider for v in found] == ["YouTube", "Vimeo"]
    assert found[0].key.startswith("youtube-") and found[1].key.startswith("vimeo-")


def test_fetch_posters_shows_them_in_texts_saved_without(fetching, app, make_post, session):
    post = make_post(source=f"Avant.\n\n{YOUTUBE}\n")
    untouched = make_post(source="https://vimeo.com/76979871 dans une phrase.")
    assert "embed-poster" not in post.html
    result = app.test_cli_runner().invoke(args=["fetch-posters"])
    assert result.exit_code == 0, result.output
    assert "Posters shown in 1 texts." in result.output
    session.expire_all()
    assert 'class="embed-poster" src="/media/posters/youtube-' in post.html
    # A link inside a sentence is no embed: its poster is fetched (kept for later), not shown.
    assert "embed-poster" not in untouched.html
