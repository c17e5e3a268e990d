"""In a real browser (issue 16, point 8, the translating parts): the outdated flag appears
after an edit of the original and clears when marked; an announcement follows the French
translation; bulk actions; a translator refused on an original.

Playwright drives Debian's Chromium like tests/test_browser.py; skipped without it unless
BLOG_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from blog.accounts import create_user
from blog.models import Kind, Post, PublicationKind, Role, Status
from tools.livesite import serve

from .helpers import SITES_FILE

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser
PASSWORD = "rivières-oubliées-2025"


@pytest.fixture
def site(tmp_path) -> Iterator:
    """Serve a fresh app with an administrator and a translator on a free port."""
    with serve(tmp_path, sites_file=SITES_FILE) as live:
        with live.app.extensions["db"]["sessionmaker"]() as session:
            create_user(session, "claire@example.org", PASSWORD, name="Claire", language="en")
            tom = create_user(session, "tom@example.org", PASSWORD, name="Tom", language="en")
            tom.role = Role.TRANSLATOR
            session.commit()
        yield live


def store(site, *posts: Post) -> list[int]:
    with site.app.extensions["db"]["sessionmaker"]() as session:
        session.add_all(posts)
        session.commit()
        return [p.id for p in posts]


def post(language, slug, title, sites=("blog",), **fields) -> Post:
    made = Post(kind=fields.pop("kind", Kind.POST), language=language, slug=slug, title=title,
                status=fields.pop("status", Status.PUBLISHED),
                published_at=datetime(2025, 3, 1, tzinfo=UTC), **fields)  # fmt: skip
    made.set_source(f"{title}.")
    made.publish_on(sites[0], PublicationKind.HOME)
    return made


def sign_in(browser, site, email):
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    page.on("response", lambda r: r.status >= 500 and pytest.fail(f"{r.status} {r.url}"))
    page.goto(site.url("blog", "/admin/login"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page


def test_outdated_flag_appears_after_an_edit_of_the_original_and_clears(browser, site):
    (original_id,) = store(site, post("en", "flood-marks", "Flood marks"))
    desk = sign_in(browser, site, "claire@example.org")
    desk.goto(site.url("blog", f"/admin/posts/{original_id}"))
    desk.get_by_role("button", name="Translate into French").click()
    expect(desk.locator("#slug")).to_have_value("")
    desk.locator("#title").fill("Repères de crue")
    desk.locator("#source").fill("Repères de crue.")
    desk.get_by_role("button", name="Save draft", exact=True).click()
    expect(desk).to_have_url(re.compile(r"/admin/posts/\d+\?saved=1$"))
    expect(desk.locator("#slug")).to_have_value("reperes-de-crue")
    french_url = desk.url.split("?")[0]
    expect(desk.locator("section.outdated")).to_have_count(0)

    desk.goto(site.url("blog", f"/admin/posts/{original_id}"))
    desk.locator("#source").fill("Flood marks, and the year 1856.")
    desk.get_by_role("button", name="Update", exact=True).click()
    desk.get_by_role("button", name=re.compile("^Yes, update")).click()
    expect(desk).to_have_url(re.compile(r"\?saved=1$"))

    desk.goto(site.url("blog", "/admin/"))
    row = desk.locator("tr", has=desk.get_by_role("link", name="Repères de crue"))
    expect(row.locator(".badge.outdated")).to_have_text("Outdated")
    desk.get_by_role("link", name="Translations to update").click()
    desk.get_by_role("link", name="Repères de crue").click()
    expect(desk.locator("section.outdated")).to_contain_text("and the year 1856")
    desk.get_by_role("button", name="Mark as up to date").click()
    expect(desk).to_have_url(re.compile(r"\?saved=1$"))
    expect(desk.locator("section.outdated")).to_have_count(0)
    desk.goto(site.url("blog", "/admin/"))
    expect(row.locator(".badge.outdated")).to_have_count(0)
    assert french_url


def test_an_announcement_follows_the_french_translation(browser, site):
    original_id, _ = store(
        site,
        original := post("en", "flood-marks", "Flood marks"),
        post("fr", "reperes-de-crue", "Repères de crue"),
    )
    with site.app.extensions["db"]["sessionmaker"]() as session:
        french = session.query(Post).filter_by(slug="reperes-de-crue").one()
        french.translation_key = session.get(Post, original_id).translation_key
        session.commit()
    assert original
    desk = sign_in(browser, site, "claire@example.org")
    desk.goto(site.url("blog", f"/admin/posts/{original_id}/announce?site=book"))
    desk.locator("#title").fill("Les repères de crue")
    desk.get_by_role("button", name="Save", exact=True).click()
    own = desk.locator("p.announcement-page a")
    expect(desk.locator("p.announcement-page")).to_contain_text("version in French")
    reader = browser.new_context(locale="fr-FR").new_page()
    reader.goto(own.get_attribute("href"))
    read_on = reader.locator("p.read-on a")
    expect(read_on).to_have_attribute("hreflang", "fr")
    read_on.click()
    expect(reader.locator("h1")).to_have_text("Repères de crue")
    expect(reader).to_have_url(re.compile(r"/fr/2025/03/reperes-de-crue/$"))


def test_bulk_actions_publish_and_trash_after_confirmation(browser, site):
    store(site, *(post("fr", f"brouillon-{n}", f"Brouillon {n}", status=Status.DRAFT)
                  for n in range(3)))  # fmt: skip
    desk = sign_in(browser, site, "claire@example.org")
    for n in (0, 1):
        desk.get_by_role("checkbox", name=f"Select “Brouillon {n}”").check()
    desk.locator("#bulk-action").select_option("publish")
    desk.get_by_role("button", name="Apply").click()
    expect(desk.get_by_role("status")).to_have_text("Posts changed: 2.")
    desk.get_by_role("link", name="Back to the list").click()
    row = desk.locator("tr", has=desk.get_by_role("link", name="Brouillon 0"))
    expect(row).to_contain_text("Published")
    desk.get_by_role("checkbox", name="Select “Brouillon 2”").check()
    desk.locator("#bulk-action").select_option("trash")
    desk.get_by_role("button", name="Apply").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Move these posts to the trash?")
    desk.locator("main").get_by_role("button", name="Move to the trash").click()
    expect(desk.get_by_role("status")).to_have_text("Posts changed: 1.")
    desk.goto(site.url("blog", "/admin/trash"))
    expect(desk.locator("main")).to_contain_text("Brouillon 2")


def test_a_translator_is_refused_on_an_original(browser, site):
    (original_id,) = store(site, post("en", "flood-marks", "Flood marks"))
    desk = sign_in(browser, site, "tom@example.org")
    desk.goto(site.url("blog", f"/admin/posts/{original_id}"))
    expect(desk.get_by_role("note")).to_contain_text("translations only")
    desk.locator("#title").fill("Changed by Tom")
    desk.get_by_role("button", name="Update", exact=True).click()
    expect(desk.get_by_role("alert")).to_contain_text("translations only")
    expect(desk.locator("#title")).to_have_value("Changed by Tom")  # the text is kept
    desk.goto(site.url("blog", f"/admin/posts/{original_id}"))
    expect(desk.locator("#title")).to_have_value("Flood marks")
    desk.get_by_role("button", name="Translate into French").click()
    desk.locator("#title").fill("Repères de crue")
    desk.get_by_role("button", name="Save draft", exact=True).click()
    expect(desk).to_have_url(re.compile(r"/admin/posts/\d+\?saved=1$"))
