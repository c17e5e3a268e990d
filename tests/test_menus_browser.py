"""The menu editor and the tags field in a real browser, and axe-core on every desk page.

One server (the demo content, its own SQLite file) and one Chromium for the module: the
journeys change different things (the English menu, a new tag), and the axe sweep runs last.
Skipped without Playwright or Chromium unless BLOG_REQUIRE_BROWSER=1, as tests/test_browser.py.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from blog.accounts import create_user
from blog.comments.models import Comment
from blog.models import Media, Post, PublicationKind, Status, Term, TermKind
from blog.people import INVITE, invite, new_link_token
from tools.livesite import CHROMIUM, serve

from .helpers import axe_failures
from .test_browser import Watch, shot

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser

EMAIL, PASSWORD = "editor@example.org", "a long enough password"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("BLOG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing, and BLOG_REQUIRE_BROWSER=1 requires it")
        pytest.skip(f"{CHROMIUM} is missing")
    with serve(tmp_path_factory.mktemp("menus"), demo=True) as live:
        with live.app.extensions["db"]["sessionmaker"]() as session:
            create_user(session, EMAIL, PASSWORD, name="Claire Vautrin", language="en")
        yield live


@pytest.fixture(scope="module")
def chromium(site, browser):
    return browser


def signed_in(chromium, site, watch: Watch, **options):
    page = watch.attach(chromium.new_context(locale="en-GB", **options).new_page())
    page.set_default_timeout(10_000)
    page.goto(site.url("blog", "/admin/login"))
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page


def menu_labels(page) -> list[str]:
    return page.locator("nav.site-nav a").all_inner_texts()


def test_an_editor_builds_the_english_menu_and_readers_see_it(chromium, site):
    watch = Watch()
    page = signed_in(chromium, site, watch)
    reader = watch.attach(chromium.new_context(locale="en-GB").new_page())
    reader.goto(site.url("blog", "/en/"))
    assert menu_labels(reader) == ["Home", "About"]

    page.get_by_role("link", name="Menu of Carnet de recherche").click()
    page.get_by_role("link", name="Menu in English").click()
    expect(page.locator("h1")).to_have_text("Menu of Carnet de recherche in English")
    # Add a category, then a link to another site, set under it; move "About" last.
    page.locator("#add").select_option(label="Fieldwork")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".pending")).to_contain_text("Not saved yet")
    page.locator("#link-url").fill("https://example.org/rivers")
    page.locator("#link-label").fill("Rivers elsewhere")
    page.get_by_role("button", name="Add the link").click()
    page.locator(".menu-item").nth(2).get_by_label("Under the item above").check()
    page.get_by_role("button", name="Move “About” down").click()
    page.locator(".menu-item").nth(0).get_by_label("Label").fill("Out in the field")
    reader.reload()
    assert menu_labels(reader) == ["Home", "About"]  # nothing reaches readers before saving
    page.get_by_role("button", name="Save the menu").first.click()
    expect(page.get_by_role("status")).to_have_text("Saved: readers see this menu now.")
    shot(page, "menus-01-english-menu")

    reader.reload()
    # The link went under the item above it: "About", once moved.
    assert menu_labels(reader) == ["Home", "Out in the field", "About", "Rivers elsewhere"]
    nested = reader.locator("nav.site-nav li li a")
    expect(nested).to_have_attribute("href", "https://example.org/rivers")
    reader.goto(site.url("blog", "/fr/"))
    assert menu_labels(reader) == ["Accueil", "À propos"]  # the French menu is its own

    page.get_by_role("button", name="Go back to the automatic menu").click()
    expect(page.get_by_role("status")).to_have_text("The menu is automatic again.")
    reader.goto(site.url("blog", "/en/"))
    reader.reload()  # the browser may keep a reader's copy for a while (Cache-Control)
    assert menu_labels(reader) == ["Home", "About"]
    assert watch.problems == []


def test_typing_a_french_name_links_it_to_the_english_tag(chromium, site):
    with site.app.extensions["db"]["sessionmaker"]() as session:
        levees = Term(kind=TermKind.TAG, slug="levees")
        levees.set_name("en", "levees")
        post = Post(
            kind="post",
            language="en",
            title="Levees of the Rhône",
            slug="levees-rhone",
            status=Status.PUBLISHED,
            published_at=datetime(2025, 6, 1, tzinfo=UTC),
        )
        post.set_source("Earth banks along the river.", session=session)
        post.publish_on("blog", PublicationKind.HOME)
        post.terms = [levees]
        session.add(post)
        session.commit()
        post_id, tag_id = post.id, levees.id
    watch = Watch()
    page = signed_in(chromium, site, watch)
    page.goto(site.url("blog", f"/admin/posts/{post_id}"))
    page.get_by_role("button", name="Translate into French").click()
    page.locator("#title").fill("Les digues du Rhône")
    tags = page.get_by_role("combobox", name="Tags (separated by commas)")
    expect(tags).to_have_value("levees")
    tags.fill("")
    tags.press_sequentially("digues")
    option = page.get_by_role("option", name=re.compile("“levees”"))
    expect(option).to_be_visible()
    expect(tags).to_have_attribute("aria-expanded", "true")
    shot(page, "menus-02-tag-suggestion")
    tags.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    tags.press("Enter")  # takes the suggestion; the form is not sent
    expect(tags).to_have_value("digues, ")
    expect(page.locator("#tags-named")).to_contain_text("“digues” will be the name in French")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/admin/posts/\d+\?saved=1$"))
    expect(tags).to_have_value("digues")
    with site.app.extensions["db"]["sessionmaker"]() as session:
        found = session.scalars(select(Term).where(Term.kind == TermKind.TAG)).all()
        assert [t.id for t in found if t.name("fr") == "digues"] == [tag_id]
        assert session.get(Term, tag_id).name("en") == "levees"
    assert watch.problems == []


def desk_pages(site) -> list[tuple[str, str]]:
    """Return (name, path) of every page of the desk an editor can open, on the demo content."""
    with site.app.extensions["db"]["sessionmaker"]() as session:
        post = session.scalar(select(Post).where(Post.kind == "post", Post.language == "fr"))
        announcement = session.scalar(select(Post).where(Post.announces_id.is_not(None)))
        term = session.scalar(select(Term))
        comment = session.scalar(select(Comment.id))
        media = session.scalar(select(Media.id))
        with site.app.app_context():
            newcomer = invite(session, "newcomer@example.org", "Newcomer", "author", "en")
            session.flush()
            token = new_link_token(session, newcomer, INVITE, datetime.now(UTC))
        session.commit()
    pages = [
        ("posts", "/admin/"), ("pages", "/admin/?kind=page"), ("new post", "/admin/posts/new"),
        ("editor", f"/admin/posts/{post.id}"), ("revisions", f"/admin/posts/{post.id}/revisions"),
        ("trash confirm", f"/admin/posts/{post.id}/trash/confirm"),
        ("unpublish confirm", f"/admin/posts/{post.id}/unpublish/confirm"),
        ("announce", f"/admin/posts/{post.id}/announce"),
        ("announcement", f"/admin/announcements/{announcement.id}"),
        ("calendar", "/admin/calendar"), ("outdated", "/admin/translations/outdated"),
        ("terms", "/admin/terms/"), ("term", f"/admin/terms/{term.id}"),
        ("new term", "/admin/terms/new"), ("menu", "/admin/menu/blog"),
        ("menu fr", "/admin/menu/blog/fr"), ("book menu", "/admin/menu/book/fr"),
        ("sections", "/admin/book/"), ("comments", "/admin/comments/"),
        ("blocklist", "/admin/comments/blocklist"), ("media", "/admin/media/"),
        ("trash", "/admin/trash"), ("people", "/admin/people"), ("profile", "/admin/profile"),
        ("two-factor", "/admin/profile/two-factor"), ("settings", "/admin/settings/blog"),
    ]  # fmt: skip
    if comment is not None:
        pages.append(("comment", f"/admin/comments/{comment}"))
    if media is not None:
        pages.append(("media file", f"/admin/media/{media}"))
    return pages, token


def test_every_desk_page_passes_axe(chromium, site):
    watch = Watch()
    page = signed_in(chromium, site, watch, bypass_csp=True)  # axe injects its script
    pages, token = desk_pages(site)
    failures = []

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        failures.extend((name, *found) for found in axe_failures(page))

    for name, path in pages:
        response = page.goto(site.url("blog", path))
        assert response.status == 200, (name, path, response.status)
        check(name)
    # The section pages of the book site, and the tags field with its suggestions open.
    page.goto(site.url("blog", "/admin/book/"))
    page.locator("main table a, main ul a").first.click()
    check("section rows")
    page.goto(site.url("blog", pages[3][1]))
    page.locator("#tags").press("End")
    page.locator("#tags").press_sequentially(", cr")
    expect(page.locator("#tags-suggestions li").first).to_be_visible()
    check("tag suggestions")
    # Signed out: the sign-in page and an invitation's password page.
    page.context.clear_cookies()
    page.goto(site.url("blog", "/admin/login"))
    check("sign-in")
    page.goto(site.url("blog", f"/admin/password/{token}"))
    check("password")
    assert failures == [], "\n\n".join(f"{n} ({s}):\n{r}" for n, s, r in failures)
    assert watch.problems == []
