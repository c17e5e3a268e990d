"""The editor in a real browser (issue 16): autosave and restore after a closed tab, the
warning before leaving with unsaved changes, Ctrl/Cmd+S, a draft link read signed out and
refused once revoked, and axe-core on the desk pages the issue changed.

Same setup as tests/test_browser.py: Debian's Chromium through Playwright, the app served on a
free port; skipped without them unless BLOG_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from blog.accounts import create_user
from tools.livesite import serve

from .helpers import SITES_FILE, axe_failures
from .test_browser import EMAIL, PASSWORD, LiveServer, Watch, shot

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser


@pytest.fixture
def live_server(tmp_path):
    """Serve a fresh app (its own SQLite file, one French-speaking author) on a free port."""
    with serve(tmp_path, sites_file=SITES_FILE) as site:
        with site.app.extensions["db"]["sessionmaker"]() as session:
            create_user(session, EMAIL, PASSWORD, name="Claire Vautrin", language="fr")
        yield LiveServer(site.app, site.url("blog", ""))


TITLE = "Les rivières enterrées de Lyon"
SOURCE = "La Rize coule encore sous les rues."


def signed_in(browser, live_server, watch: Watch, **options):
    """Return a page signed in to the desk (French, the author's language)."""
    page = watch.attach(browser.new_context(locale="fr-FR", **options).new_page())
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    return page


def new_draft(page, live_server) -> str:
    """Write a new post and save it as a draft with Ctrl+S; return its editor's address."""
    page.goto(f"{live_server.url}/admin/posts/new")
    page.locator("#title").fill(TITLE)
    page.locator("#source").fill(SOURCE)
    page.locator("#source").press("Control+s")
    expect(page).to_have_url(re.compile(r"/admin/posts/\d+\?saved=1$"))
    expect(page.locator(".publish .state")).to_contain_text("Brouillon")
    expect(page.locator("#source")).to_have_value(SOURCE)
    return page.url.split("?")[0]


def test_ctrl_s_saves_and_autosave_brings_the_text_back_after_the_tab_closed(browser, live_server):
    watch = Watch()
    page = signed_in(browser, live_server, watch)
    context = page.context
    # The test moves the browser's clock past the autosave's delay (2 s in editor.js)
    # instead of waiting for it; stopped while the text is typed, so that no slowness of
    # the machine can stand in for the delay.
    context.clock.install()
    editor = new_draft(page, live_server)  # Ctrl+S on a new post: saved as a draft

    # Typing is autosaved on the server a moment later; then the tab is closed.
    context.clock.pause_at(datetime.now() + timedelta(seconds=1))
    page.locator("#source").press("End")
    page.keyboard.type(" Elle rejoint le Rhône.")
    expect(page.locator("#save-state")).not_to_contain_text("Enregistré automatiquement")
    context.clock.fast_forward(2000)
    expect(page.locator("#save-state")).to_contain_text("Enregistré automatiquement")
    context.clock.resume()
    expect(page.locator("#source-count")).to_contain_text("Mots : 11")
    page.close()

    page = watch.attach(context.new_page())
    page.goto(editor)
    expect(page.locator("#source")).to_have_value(SOURCE)  # the post itself is unchanged
    notice = page.locator("#autosave-notice")
    expect(notice).to_be_visible()
    shot(page, "editor-01-autosave-notice")
    notice.get_by_role("link", name="Rétablir le texte enregistré automatiquement").click()
    expect(page.locator("#source")).to_have_value(SOURCE + " Elle rejoint le Rhône.")

    # Offline, the text is kept by the browser alone, and offered back there.
    context.set_offline(True)
    page.locator("#title").press("End")
    page.keyboard.type(" (hors ligne)")
    context.clock.fast_forward(2000)
    expect(page.locator("#save-state")).to_contain_text("hors ligne")
    page.close()
    context.set_offline(False)
    page = watch.attach(context.new_page())
    page.goto(editor)
    local = page.locator("#local-copy-notice")
    expect(local).to_be_visible()
    local.get_by_role("button", name="Le rétablir").click()
    expect(page.locator("#title")).to_have_value(TITLE + " (hors ligne)")
    shot(page, "editor-02-restored-from-the-browser")

    # Ctrl+S on the restored draft saves it; nothing is offered any more.
    page.locator("#title").press("Control+s")
    expect(page).to_have_url(re.compile(r"\?saved=1$"))
    expect(page.locator("#title")).to_have_value(TITLE + " (hors ligne)")
    expect(page.locator("#local-copy-notice")).to_have_count(0)
    assert watch.problems == []


def test_leaving_with_unsaved_changes_asks_first(browser, live_server):
    watch = Watch()
    page = signed_in(browser, live_server, watch)
    editor = new_draft(page, live_server)
    page.goto(editor)
    page.locator("#title").click()
    page.keyboard.type(" !")  # typed by a person: the browser may ask before leaving

    asked = []

    def dismiss(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator(".desk-header nav").get_by_role("link", name="Articles").click()
    page.wait_for_timeout(300)  # the dialog is answered synchronously; let the page settle
    assert asked == ["beforeunload"]
    assert page.url.startswith(editor)
    expect(page.locator("#title")).to_have_value(TITLE + " !")

    # Saving is no leaving: no question.
    page.on("dialog", lambda dialog: asked.append(dialog.type) or dialog.dismiss())
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(re.compile(r"\?saved=1$"))
    page.locator(".desk-header nav").get_by_role("link", name="Articles").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    assert asked == ["beforeunload"]
    assert watch.problems == []


def test_a_draft_link_works_signed_out_and_is_refused_once_revoked(browser, live_server):
    watch = Watch()
    page = signed_in(browser, live_server, watch)
    new_draft(page, live_server)
    page.get_by_role("button", name="Créer un lien de brouillon").click()
    link = page.locator("input.draft-link")
    expect(link).to_have_count(1)
    url = link.input_value()
    assert re.match(r"http://book\.localhost:\d+/admin/shared/[\w-]{40,}$", url)  # its home

    reader = watch.attach(browser.new_context(locale="en-GB").new_page())
    reader.goto(url)
    expect(reader.locator("h1")).to_have_text(TITLE)
    expect(reader.locator(".preview-notice")).to_contain_text("pas encore publié")
    expect(reader.locator('meta[name="robots"]')).to_have_attribute("content", "noindex, nofollow")
    shot(reader, "editor-03-draft-link-signed-out")

    page.get_by_role("button", name="Révoquer").click()
    expect(page.locator("input.draft-link")).to_have_count(0)
    response = reader.goto(url)
    assert response.status == 404
    assert watch.problems == []


def test_the_desk_pages_of_the_editor_pass_axe(browser, live_server):
    watch = Watch()
    page = signed_in(browser, live_server, watch, bypass_csp=True)  # axe injects its script

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        assert axe_failures(page) == [], name

    check("posts")
    editor = new_draft(page, live_server)
    page.locator("details.cheatsheet summary").click()
    check("editor")
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.locator("#confirm")).to_be_visible()
    check("confirmation")
    shot(page, "editor-04-confirmation")
    page.goto(editor)
    page.get_by_role("button", name="Créer un lien de brouillon").click()
    check("draft-links")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login")
    check("sign-in")
    assert watch.problems == []
