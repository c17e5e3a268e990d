"""Take the README's screenshots: both sites (desktop, phone, sections) and the desk, on the demo.

    python -m tools.screenshots [--out docs/screenshots]

Needs Playwright (pip install -e '.[test]') and Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from blog.accounts import create_user
from tools.livesite import CHROMIUM, CHROMIUM_ARGS, serve

SHOTS = [
    # name, site, path, viewport
    ("book-desktop", "book", "/", (1280, 1300)),
    ("blog-desktop", "blog", "/en/", (1280, 860)),
    ("book-phone", "book", "/2025/04/ce-qu-en-dit-la-presse/", (390, 844)),
    (
        "blog-phone",
        "blog",
        "/fr/2024/09/pourquoi-les-rivieres-disparaissent-des-cartes/",
        (390, 844),
    ),
    ("book-press-kit", "book", "/espace-presse/", (1280, 860)),
    ("book-talks", "book", "/rencontres/", (1280, 860)),
    # A post with a video: its poster, nothing asked of the provider until the reader clicks.
    ("book-video", "book", "/2025/03/la-memoire-des-rivieres-en-librairie/", (1280, 860)),
]
# Shots of a page's part: scrolled to put this element at the top of the window.
SCROLL_TO = {"book-video": "figure.embed"}


def take(out: Path) -> list[Path]:
    """Serve the demo, photograph each page of SHOTS into `out`, and return the files."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with (
        tempfile.TemporaryDirectory() as workdir,
        serve(Path(workdir), demo=True) as site,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, key, path, (width, height) in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(site.url(key, path))
                if name in SCROLL_TO:
                    page.locator(SCROLL_TO[name]).first.evaluate(
                        "element => window.scrollTo(0, element.offsetTop - 420)"
                    )
                # Lazy pictures in view are asked for once the page has loaded.
                page.wait_for_load_state("networkidle")
                target = out / f"{name}.png"
                page.screenshot(path=str(target))
                page.close()
                written.append(target)
            written += take_desk(browser, site, out)
        finally:
            browser.close()
    return written


DESK_EMAIL, DESK_PASSWORD = "claire@example.org", "screenshots-only-password"


def take_desk(browser, site, out: Path) -> list[Path]:
    """Photograph the desk in English: sign-in, post list, editor, a confirmation, the menu
    editor and the tags field offering a tag of the original."""
    with site.app.extensions["db"]["sessionmaker"]() as session:
        create_user(session, DESK_EMAIL, DESK_PASSWORD, name="Claire Vautrin", language="en")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    written = []

    def shot(name: str) -> None:
        target = out / f"{name}.png"
        page.screenshot(path=str(target))
        written.append(target)

    page.goto(site.url("blog", "/admin/login"))
    page.locator("#email").fill(DESK_EMAIL)
    shot("desk-sign-in")
    page.locator("#password").fill(DESK_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/admin/")
    shot("desk-posts")
    page.locator("tbody td a").first.click()
    page.wait_for_selector("#editor")
    shot("desk-editor")
    page.get_by_role("button", name="Update", exact=True).click()
    page.wait_for_selector("#confirm")
    shot("desk-confirm")
    page.goto(site.url("blog", "/admin/menu/blog/en"))
    category = page.locator("#add optgroup").nth(1).locator("option").first.get_attribute("value")
    page.locator("#add").select_option(category)
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Move “About” down").click()
    page.locator("#link-url").fill("https://example.org/rivers")
    page.locator("#link-label").fill("Rivers elsewhere")
    page.get_by_role("button", name="Add the link").click()
    page.locator(".menu-item").last.get_by_label("Under the item above").check()
    page.evaluate("window.scrollTo(0, 0)")
    shot("desk-menu")
    page.goto(site.url("blog", "/admin/?q=maps&language=en"))
    page.locator("tbody td a").first.click()
    page.wait_for_selector("#editor")
    page.locator("#tags").press("End")
    page.locator("#tags").press_sequentially(", cru")
    page.wait_for_selector("#tags-suggestions li")
    page.locator("#tags").scroll_into_view_if_needed()
    shot("desk-tags")
    page.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    for path in take(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
