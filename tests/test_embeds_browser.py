"""Embeds in a real browser: nothing reaches the provider until the reader clicks (issue 15).

Playwright records every request the page makes; requests leaving the machine are answered
by the test itself (never the network), so that the provider's player is seen to be asked
for only after the click, and only from youtube-nocookie.com.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from blog import posters
from blog.models import Post, PublicationKind
from tools.livesite import serve

from .helpers import SITES_FILE, image_bytes

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser

SOURCE = """Le lancement du livre, filmé à la librairie.

https://www.youtube.com/watch?v=dQw4w9WgXcQ

Et l'entretien à la radio :

https://soundcloud.com/radio-confluent/entretien-claire-vautrin
"""


@pytest.fixture
def site(tmp_path):
    with serve(tmp_path, sites_file=SITES_FILE) as live:
        with live.app.extensions["db"]["sessionmaker"]() as session:
            post = Post(language="fr", title="Le lancement", slug="lancement", status="published",
                        published_at=datetime(2025, 3, 13, 18, tzinfo=UTC))  # fmt: skip
            with live.app.test_request_context("/"):
                # The video's poster, as a save would have fetched it (test_posters.py).
                [video] = [v for v in posters.videos_in(SOURCE) if v.provider == "YouTube"]
                posters.keep(video, image_bytes(480, 360))
                post.set_source(SOURCE, session=session)
            post.publish_on("blog", PublicationKind.HOME)
            session.add(post)
            session.commit()
        yield live


def outside(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return not (host.endswith(".localhost") or host in ("localhost", "127.0.0.1"))


def test_an_embed_loads_nothing_from_the_provider_before_the_click(browser, site):
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    asked: list[str] = []

    def answer(route):
        asked.append(route.request.url)
        if outside(route.request.url):
            route.fulfill(status=200, content_type="text/html", body="<p>player</p>")
        else:
            route.continue_()

    page.route("**/*", answer)
    page.goto(site.url("blog", "/fr/2025/03/lancement/"))
    page.wait_for_load_state("networkidle")
    assert asked and not [u for u in asked if outside(u)]
    embeds = page.locator("a.embed-load")
    assert embeds.count() == 2
    assert page.locator("iframe").count() == 0
    # The YouTube one shows its poster, from the site itself; the other, the placeholder.
    poster = page.locator("a.embed-load img.embed-poster")
    assert poster.count() == 1
    assert poster.evaluate("img => img.complete && img.naturalWidth") == 640
    assert [u for u in asked if "/media/posters/youtube-" in u]

    embeds.first.click()
    frame = page.locator("figure.embed iframe")
    frame.wait_for()
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    page.wait_for_load_state("networkidle")
    third_party = {urlsplit(u).hostname for u in asked if outside(u)}
    assert third_party == {"www.youtube-nocookie.com"}  # the other embed still asked nothing


def test_without_javascript_an_embed_is_a_plain_link(browser, site):
    page = browser.new_context(java_script_enabled=False).new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(site.url("blog", "/fr/2025/03/lancement/"))
    link = page.locator("a.embed-load").first
    assert link.get_attribute("href") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert "YouTube" in link.inner_text()
    assert not [u for u in asked if outside(u)]
