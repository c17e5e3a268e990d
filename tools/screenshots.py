"""Take the README's screenshots: both sites, desktop and phone, on the demo content.

    python -m tools.screenshots [--out docs/screenshots]

Needs Playwright (pip install -e '.[test]') and Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tools.livesite import CHROMIUM, CHROMIUM_ARGS, serve

SHOTS = [
    # name, site, path, viewport
    ("book-desktop", "book", "/", (1280, 860)),
    ("blog-desktop", "blog", "/en/", (1280, 860)),
    ("book-phone", "book", "/2025/04/ce-qu-en-dit-la-presse/", (390, 844)),
    (
        "blog-phone",
        "blog",
        "/fr/2024/09/pourquoi-les-rivieres-disparaissent-des-cartes/",
        (390, 844),
    ),
]


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
                target = out / f"{name}.png"
                page.screenshot(path=str(target))
                page.close()
                written.append(target)
        finally:
            browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    for path in take(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
