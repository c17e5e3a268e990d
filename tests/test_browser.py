"""End to end, in a real browser: the author writes a post and its translation, a reader follows
the language switcher from one to the other (issue 3, point 10).

Playwright drives Debian's Chromium (/usr/bin/chromium; never a downloaded browser) against the
app served by werkzeug on a free port. Without Playwright or Chromium the test is skipped, unless
BLOG_REQUIRE_BROWSER=1 (as in CI), where it fails instead. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from blog.accounts import create_user
from tools.livesite import serve

from .helpers import SITES_FILE

# The `browser` fixture (tests/conftest.py) skips the test when Playwright is missing.
playwright_api = pytest.importorskip("playwright.sync_api")
Page, expect = playwright_api.Page, playwright_api.expect

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser
ARTIFACTS = Path(__file__).parent / "artifacts"
EMAIL, PASSWORD = "claire@example.org", "rivières-oubliées-2025"

FR_TITLE = "Les rivières enterrées de Lyon"
FR_SOURCE = "## Sous la ville\n\nLa Rize coule **encore** sous les rues."
EN_TITLE = "The buried rivers of Lyon"
EN_SOURCE = "## Under the city\n\nThe Rize **still** flows under the streets."


@dataclass
class LiveServer:
    app: Flask
    url: str  # the blog's origin, e.g. http://blog.localhost:54321


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    """Serve a fresh app (its own SQLite file, one author) on a free port in a thread."""
    with serve(tmp_path, sites_file=SITES_FILE) as site:
        with site.app.extensions["db"]["sessionmaker"]() as session:
            create_user(session, EMAIL, PASSWORD, name="Claire Vautrin", language="fr")
        yield LiveServer(site.app, site.url("blog", ""))


class Watch:
    """Record what must never happen on a page: a server error or a script error."""

    def __init__(self):
        self.problems: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on(
            "response",
            lambda r: (
                r.status >= 500 and self.problems.append(f"{r.status} {r.request.method} {r.url}")
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_author_writes_and_translates_a_post_then_a_reader_switches_language(browser, live_server):
    blog, watch = live_server.url, Watch()
    desk = watch.attach(browser.new_context(locale="fr-FR").new_page())
    desk.set_default_timeout(10_000)

    # A stranger at the desk is sent to the login, and comes back after signing in.
    desk.goto(f"{blog}/admin/")
    expect(desk).to_have_url(re.compile(r"/admin/login\?next=/admin/$"))
    desk.locator("#email").fill(EMAIL)
    desk.locator("#password").fill(PASSWORD)
    shot(desk, "01-login")
    desk.locator("main form button[type=submit]").click()
    expect(desk).to_have_url(f"{blog}/admin/")
    expect(desk.locator("html")).to_have_attribute("lang", "fr")  # the author's language

    # A new post in French, previewed on demand and live.
    desk.get_by_role("link", name="Nouvel article").click()
    expect(desk).to_have_url(re.compile(r"/admin/posts/new"))
    desk.locator("#title").fill(FR_TITLE)
    desk.locator("#language").select_option("fr")
    desk.locator("#home_site").select_option("blog")
    desk.locator("#source").fill(FR_SOURCE)
    desk.get_by_role("button", name="Aperçu", exact=True).click()
    preview = desk.locator("#preview")
    expect(preview.locator("h2")).to_contain_text("Sous la ville")  # and its anchor
    expect(preview.locator("strong")).to_have_text("encore")
    expect(desk.locator("#title")).to_have_value(FR_TITLE)  # the form came back as typed
    expect(desk.locator("#source")).to_have_value(FR_SOURCE)

    desk.locator("#source").fill(FR_SOURCE + "\n\nElle rejoint le *Rhône*.")
    expect(preview.locator("em")).to_have_text("Rhône")  # the live preview, by itself
    expect(preview.locator("strong")).to_have_text("encore")
    shot(desk, "02-editor-preview")

    expect(desk.locator("#published_at")).to_have_value("")  # empty: published now
    desk.get_by_role("button", name="Publier", exact=True).click()
    # Publishing says where first, then publishes.
    expect(desk.locator("#confirm")).to_contain_text("/fr/")
    desk.get_by_role("button", name="Oui, publier maintenant").click()
    expect(desk).to_have_url(re.compile(r"/admin/posts/\d+\?saved=1$"))
    expect(desk.locator("p.ok")).to_have_text("Enregistré.")
    expect(desk.locator("#title")).to_have_value(FR_TITLE)
    expect(desk.locator(".publish .state")).to_contain_text("Publié le")
    french_editor = desk.url
    shot(desk, "03-saved")

    # Its translation: a draft beside the original, rewritten in English and published.
    translations = desk.locator("aside.side section").filter(
        has=desk.get_by_role("heading", name="Traductions", exact=True)
    )
    translations.get_by_role("button", name="Traduire en anglais").click()
    expect(desk).to_have_url(re.compile(r"/admin/posts/new\?translation_of=\d+&language=en$"))
    assert desk.url != french_editor
    reference = desk.locator("section.reference")
    expect(reference).to_be_visible()
    expect(reference).to_have_attribute("lang", "fr")
    expect(reference.locator("h3")).to_have_text(FR_TITLE)
    expect(reference.locator(".content strong")).to_have_text("encore")
    expect(desk.locator("#language")).to_have_value("en")
    expect(desk.locator(".publish .state")).to_contain_text("Pas encore enregistré")
    expect(desk.locator("#slug")).to_have_value("")  # never the original's address
    shot(desk, "04-translation-draft")

    desk.locator("#title").fill(EN_TITLE)
    desk.locator("#slug").fill("")  # made from the English title
    desk.locator("#source").fill(EN_SOURCE)
    expect(preview.locator("strong")).to_have_text("still")
    desk.get_by_role("button", name="Publier", exact=True).click()
    desk.get_by_role("button", name="Oui, publier maintenant").click()
    expect(desk).to_have_url(re.compile(r"/admin/posts/\d+\?saved=1$"))
    expect(desk.locator("#title")).to_have_value(EN_TITLE)
    expect(desk.locator("#slug")).to_have_value("the-buried-rivers-of-lyon")
    expect(desk.locator(".publish .state")).to_contain_text("Publié le")
    shot(desk, "05-translation-saved")

    # A reader finds the French post and switches to English.
    reader = watch.attach(browser.new_context(locale="fr-FR").new_page())
    reader.set_default_timeout(10_000)
    reader.goto(f"{blog}/fr/")
    expect(reader.locator("html")).to_have_attribute("lang", "fr")
    reader.locator("main").get_by_role("link", name=FR_TITLE).click()
    expect(reader.locator("h1")).to_have_text(FR_TITLE)
    expect(reader.locator("article strong")).to_have_text("encore")
    french_url = reader.url
    assert re.fullmatch(rf"{re.escape(blog)}/fr/\d{{4}}/\d{{2}}/[a-z0-9-]+/", french_url)
    shot(reader, "06-reader-french")

    reader.locator("nav.language-switcher").get_by_role("link", name="English").click()
    expect(reader.locator("h1")).to_have_text(EN_TITLE)
    expect(reader.locator("html")).to_have_attribute("lang", "en")
    expect(reader).to_have_url(re.compile(rf"^{re.escape(blog)}/en/\d{{4}}/\d{{2}}/the-buried-"))
    expect(reader.locator("link[rel=canonical]")).to_have_attribute("href", reader.url)
    expect(reader.locator("link[rel=alternate][hreflang=fr]")).to_have_attribute("href", french_url)
    shot(reader, "07-reader-english")

    assert watch.problems == []
