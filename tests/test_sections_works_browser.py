"""The gallery of works and a work's page in a real browser: no axe-core violation."""

from __future__ import annotations

import pytest

from tools.livesite import serve

from .helpers import SITES_FILE, axe_failures

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("demo"), demo=True, sites_file=SITES_FILE) as site:
        yield site


@pytest.mark.parametrize(
    "path", ["/liaisons-artistiques/", "/liaisons-artistiques/le-registre-des-hauteurs/"]
)
def test_the_works_pages_pass_axe(browser, demo_site, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    try:
        response = page.goto(demo_site.url("book", path))
        assert response.status == 200
        page.wait_for_load_state("load")
        # The demo's three works, each with a drawn image that the browser could load.
        if path.endswith("liaisons-artistiques/"):
            assert page.locator("li.work-card").count() == 3
        else:
            assert page.locator("audio[controls]").count() == 1
        # Pictures below the first screen load as the reader scrolls to them (loading=lazy).
        for image in page.locator("img").all():
            image.scroll_into_view_if_needed()
        page.wait_for_function(
            "[...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=10_000
        )
        assert axe_failures(page) == []
    finally:
        context.close()
