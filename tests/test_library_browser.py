"""The media library in a real browser: files dropped on the upload box, then inserted at the
cursor of the editor, whose live preview shows the picture as readers will get it."""

from __future__ import annotations

import re

import pytest

from blog.accounts import create_user
from tools.livesite import serve

from .helpers import SITES_FILE, image_bytes

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser
EMAIL, PASSWORD = "claire@example.org", "rivières-oubliées-2025"


@pytest.fixture
def site(tmp_path):
    with serve(tmp_path, sites_file=SITES_FILE) as live:
        with live.app.extensions["db"]["sessionmaker"]() as session:
            create_user(session, EMAIL, PASSWORD, name="Claire", language="en")
        yield live


def test_a_dropped_picture_is_inserted_at_the_cursor(browser, site):
    blog = site.url("blog", "")
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{blog}/admin/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{blog}/admin/")

    page.goto(f"{blog}/admin/media/")
    png = list(image_bytes(1200, 800))
    drop = page.evaluate_handle(
        """(bytes) => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], "Berge de la Saône.png",
                                  { type: "image/png" });
            transfer.items.add(file);
            return transfer;
        }""",
        png,
    )
    page.dispatch_event("#upload", "drop", {"dataTransfer": drop})
    expect(page).to_have_url(re.compile(r"/admin/media/\d+\?uploaded=1$"))
    expect(page.locator("h1")).to_have_text("berge-de-la-saone.png")
    page.locator("#alt-en").fill("The Saône in flood")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Saved.")

    page.goto(f"{blog}/admin/posts/new?language=en")
    source = page.locator("#source")
    source.fill("First line.\nSecond line.")
    source.evaluate("(area) => area.setSelectionRange(11, 11)")  # after "First line."
    page.get_by_role("button", name="Insert berge-de-la-saone.png").click()
    expect(source).to_have_value(
        "First line.\n\n![The Saône in flood](/media/berge-de-la-saone.png)\n\nSecond line."
    )
    picture = page.locator("#preview picture img")
    expect(picture).to_have_attribute("alt", "The Saône in flood")
    expect(picture).to_have_attribute("srcset", re.compile(r"\.w480\.png 480w"))
