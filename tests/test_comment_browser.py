"""Comments in a real browser: sent without JavaScript and with it; axe-core on the thread."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from blog.models import Kind, Post, PublicationKind, Status
from tools.livesite import serve

from .helpers import SITES_FILE, axe_failures

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser
POST = "/en/2025/01/buried-rivers/"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("live"), sites_file=SITES_FILE) as site:
        with site.app.app_context(), site.app.extensions["db"]["sessionmaker"]() as session:
            post = Post(kind=Kind.POST, language="en", title="Buried rivers", slug="buried-rivers")
            post.status, post.published_at = Status.PUBLISHED, datetime(2025, 1, 9, tzinfo=UTC)
            post.set_source("Rivers run *under* the streets.")
            post.publish_on("blog", PublicationKind.HOME)
            session.add(post)
            session.commit()
        # A browser cannot wait without sleeping: no minimum time, and no first-time hold.
        site.app.config.update(COMMENTS_MIN_SECONDS=0, COMMENTS_HOLD_FIRST=False)
        yield site


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_a_reader_comments_then_replies(browser, demo_site, javascript):
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(demo_site.url("blog", POST))
        name = f"Reader {'with' if javascript else 'without'} JS"
        page.fill("#comment-name", name)
        page.fill("#comment-text", "A *first* remark.")
        page.click("text=Send the comment")
        assert "your comment is published" in page.locator("#comment-sent").inner_text()
        comment = page.locator("li.comment", has_text=name)
        assert comment.locator("em").inner_text() == "first"
        comment.locator(".comment-reply a").click()
        assert "Reply to" in page.locator("#comment-form h3").inner_text()
        page.fill("#comment-name", name)
        page.fill("#comment-text", "And a reply.")
        page.click("text=Send the comment")
        reply = page.locator("li.comment", has_text=name).locator("ol.replies li")
        assert "And a reply." in reply.first.inner_text()
    finally:
        context.close()


def test_a_post_page_with_comments_has_no_accessibility_violation(browser, demo_site):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(demo_site.url("blog", POST))
        page.fill("#comment-name", "Axe")
        page.fill("#comment-text", "Checked by **axe**.")
        page.click("text=Send the comment")
        page.goto(demo_site.url("blog", POST + "?reply=1"))
        page.fill("#comment-text", "")
        page.click("text=Send the comment")  # refused: the error and the form come back
        assert page.locator(".form-errors").count() == 1
        assert axe_failures(page) == []
    finally:
        context.close()
