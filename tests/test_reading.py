"""A reader's journey in a real browser, at a phone's and a desktop's size, with axe-core.

Book home → a post → "Carnet de recherche" → the blog in French → English → a translated
post → a post with no translation (the notice) → a feed. On every page: no accessibility
violation (axe-core, light and dark schemes), no horizontal scrolling, no request leaving
the two sites, and screenshots in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools.livesite import serve

from .helpers import SITES_FILE, axe_failures

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser
ARTIFACTS = Path(__file__).parent / "artifacts"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
NARROW_PAGES = [
    ("book", "/"),
    ("blog", "/fr/2024/11/transcrire-un-registre-de-hauteurs-d-eau/"),
    ("blog", "/en/2025/01/a-small-glossary-of-buried-rivers/"),
    ("book", "/2025/03/la-memoire-des-rivieres-en-librairie/"),  # a picture and an embed
]


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("demo"), demo=True, sites_file=SITES_FILE) as site:
        yield site


class Reader:
    """One browser page that checks every page it reaches."""

    def __init__(self, context, size: str):
        self.page = context.new_page()
        self.size, self.step = size, 0
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.step += 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"reader-{self.size}-{self.step:02d}-{name}.png"))
        assert axe_failures(page) == [], name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, overflow)
        assert page.locator("h1").count() == 1, name
        hosts = {urlsplit(url).hostname for url in self.requests}
        assert hosts <= {"book.localhost", "blog.localhost"}, hosts


@pytest.mark.parametrize("size", SIZES)
def test_a_readers_journey(browser, demo_site, size):
    width, height = SIZES[size]
    # A French reader's browser: the book site's link to the blog leads to its root, which
    # chooses the reader's language (their earlier choice there, else the browser's).
    context = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=True, locale="fr-FR"
    )
    reader = Reader(context, size)
    page = reader.page
    try:
        page.goto(demo_site.url("book", "/"))
        reader.check("book-home")
        assert page.locator("html").get_attribute("lang") == "fr"
        # The book's home sells the book, and its latest news is in the first screen.
        assert page.locator("aside.book-card a[rel=external]").count() >= 1
        first_news = page.locator("article.teaser h2").first.bounding_box()
        assert first_news["y"] + first_news["height"] <= height, first_news

        page.locator("article.teaser h2 a").first.click()
        reader.check("book-post")

        page.locator("nav.other-sites a").click()
        assert page.url == demo_site.url("blog", "/fr/")
        reader.check("blog-french")

        page.locator("nav.language-switcher a[hreflang=en]").click()
        assert page.url == demo_site.url("blog", "/en/")
        assert page.locator("html").get_attribute("lang") == "en"
        reader.check("blog-english")

        page.locator("article.teaser h2 a", has_text="What flood marks tell us").click()
        reader.check("translated-post")
        french = page.locator('link[rel=alternate][hreflang="fr"]').get_attribute("href")
        assert french == demo_site.url("blog", "/fr/2026/06/ce-que-disent-les-reperes-de-crue/")

        page.locator("footer nav.browse a", has_text="Archive").click()
        assert page.url == demo_site.url("blog", "/en/archive/")
        reader.check("archive-index")
        page.locator("footer nav.browse a", has_text="Categories").click()
        reader.check("category-index")
        page.goto(demo_site.url("blog", "/en/no-such-page/"))
        assert page.locator("nav.language-switcher").count() == 1
        reader.check("not-found")

        page.locator("nav.site-nav a", has_text="Home").click()
        page.locator("article.teaser h2 a", has_text="Acque nascoste").click()
        notice = page.locator("p.notice")
        assert "only in Italian" in notice.inner_text()
        assert page.locator("article.post").get_attribute("lang") == "it"
        reader.check("untranslated-post")

        with page.expect_response(lambda r: r.url.endswith("/en/feed.atom")) as answer:
            page.locator("footer a[type='application/atom+xml']").click()
        assert answer.value.headers["content-type"].startswith("application/atom+xml")
    finally:
        context.close()


def test_keyboard_reaches_the_content_and_the_language_switcher(browser, demo_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(demo_site.url("blog", "/fr/"))
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        assert skip.get_attribute("class") == "skip-link"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        page.goto(demo_site.url("blog", "/fr/"))
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('hreflang')") == "it":
                break
        page.keyboard.press("Enter")
        page.wait_for_url("**/it/")
        assert page.locator("html").get_attribute("lang") == "it"
    finally:
        context.close()


def test_a_post_page_is_light_and_reads_at_a_comfortable_measure(browser, demo_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sizes: list[int] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
    try:
        page.goto(demo_site.url("blog", "/en/2024/11/transcribing-a-gauge-register/"))
        page.wait_for_load_state("networkidle")
        assert sum(sizes) < 100_000, sizes
        # Characters per line of the real text: a paragraph's length over its lines, the last
        # line counting as half a line.
        characters = page.evaluate(
            """() => {
                const rates = [...document.querySelectorAll('.content > p')].map(p => {
                    const lineHeight = parseFloat(getComputedStyle(p).lineHeight);
                    const lines = Math.round(p.getBoundingClientRect().height / lineHeight);
                    return lines >= 3 ? p.textContent.length / (lines - 0.5) : null;
                }).filter(rate => rate !== null);
                return rates.reduce((a, b) => a + b, 0) / rates.length;
            }"""
        )
        assert 60 <= characters <= 75, characters
        line_height = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.content > p')).lineHeight)"
            " / parseFloat(getComputedStyle(document.querySelector('.content > p')).fontSize)"
        )
        assert 1.4 <= line_height <= 1.8
    finally:
        context.close()


def test_narrowest_phones_do_not_scroll_sideways(browser, demo_site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        for site, path in NARROW_PAGES:
            assert page.goto(demo_site.url(site, path)).ok, path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (path, overflow)
    finally:
        context.close()


def test_the_accessibility_check_sees_a_fault_in_each_scheme(browser):
    # The control for every axe check above: a picture without a text alternative (light,
    # every rule) and grey on grey that only the dark scheme shows (dark, the colour rules).
    page = browser.new_page()
    try:
        page.set_content(
            """<!doctype html><html lang="en"><head><title>t</title><style>
            @media (prefers-color-scheme: dark) { p { color: #444; background: #333; } }
            </style></head><body><main><h1>t</h1><img src="data:,">
            <p>Text that only the dark scheme makes hard to read.</p></main></body></html>"""
        )
        failures = dict(axe_failures(page))
        assert set(failures) == {"light", "dark"}
        assert "image-alt" in failures["light"] and "color-contrast" not in failures["light"]
        assert "color-contrast" in failures["dark"] and "image-alt" not in failures["dark"]
    finally:
        page.close()
