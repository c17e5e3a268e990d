"""Take the README's screenshots: both sites (desktop, phone, sections), the desk and the
readers' forms, on the demo.

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
            written += take_forms(browser, site, out)
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


def take_forms(browser, site, out: Path) -> list[Path]:
    """Photograph the readers' forms filled in (contact, a seminar's sign-up), then what the
    desk lists of them. The desk account is take_desk's."""
    site.app.config["COMMENTS_MIN_SECONDS"] = 0  # a robot's speed is a person's here
    written = []

    def shot(page, name: str, **options) -> None:
        target = out / f"{name}.png"
        page.screenshot(path=str(target), **options)
        written.append(target)

    reader = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    reader.goto(site.url("book", "/contact/"))
    reader.locator("#contact-name").fill("Agnès Morel")
    reader.locator("#contact-email").fill("agnes.morel@example.org")
    reader.locator("#contact-subject").fill("Invitation à la médiathèque de Vaise")
    reader.locator("#contact-message").fill(
        "Bonjour,\n\nNous aimerions inviter Claire Vautrin pour une lecture en octobre, "
        "avec les classes de CM2 du quartier. Quelles dates lui conviendraient ?\n\nAgnès"
    )
    reader.locator("#contact-consent").check()
    reader.locator("#contact-form").scroll_into_view_if_needed()
    shot(reader, "book-contact")
    reader.locator("#contact-form button[type=submit]").click()
    reader.wait_for_selector("#contact-sent")
    reader.goto(site.url("book", "/inscription/seminaire-lire-une-ville/"))
    reader.locator("#signup-name").fill("Hugo Lefèvre")
    reader.locator("#signup-email").fill("hugo.lefevre@example.org")
    reader.locator("#signup-message").fill("Étudiant en master d'urbanisme.")
    reader.locator("#signup-consent").check()
    shot(reader, "book-signup", full_page=True)
    reader.locator("#signup-form button[type=submit]").click()
    reader.wait_for_selector("#registered")
    reader.close()

    desk = browser.new_page(viewport={"width": 1280, "height": 720}, locale="en-GB")
    desk.goto(site.url("book", "/admin/login"))
    desk.locator("#email").fill(DESK_EMAIL)
    desk.locator("#password").fill(DESK_PASSWORD)
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_url("**/admin/")
    desk.goto(site.url("book", "/admin/forms/"))
    shot(desk, "desk-messages")
    desk.goto(site.url("book", "/admin/forms/signups/"))
    desk.locator("tbody td a").first.click()
    shot(desk, "desk-registrations")
    desk.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    for path in take(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
