"""Time `import-wxr` and `import-markdown` of a generated store (wall clock, CPU time, peak memory).

Writes a WordPress export of N posts in FR/EN Polylang pairs (deterministic content written by
this script: categories, tags, a few paragraphs of HTML each), imports it into a new SQLite
database with `flask import-wxr`, exports the store with `export-markdown`, then imports that
folder into another new database with `import-markdown`. Each command runs in a process of its
own, so its peak RSS is its own.

    python bench/import.py --posts 5000 [--keep DIR] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent

WORDS = tuple(
    [
        "rivière",
        "ruisseau",
        "crue",
        "archives",
        "plan",
        "quartier",
        "pente",
        "terrain",
        "mémoire",
        "ville",
        "pont",
        "quai",
        "bief",
        "moulin",
        "source",
        "canal",
        "lit",
        "berge",
        "digue",
        "orage",
        "étiage",
        "cadastre",
        "relevé",
        "enquête",
    ]
)
ENGLISH = tuple(
    [
        "river",
        "stream",
        "flood",
        "archives",
        "map",
        "district",
        "slope",
        "fieldwork",
        "memory",
        "city",
        "bridge",
        "quay",
        "race",
        "mill",
        "spring",
        "canal",
        "bed",
        "bank",
        "dike",
        "storm",
        "low",
        "water",
        "survey",
        "record",
        "inquiry",
    ]
)


def _text(rng: random.Random, words: tuple[str, ...], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


def write_wxr(path: Path, posts: int) -> None:
    """Write a WXR 1.2 file of `posts` posts, FR/EN pairs grouped by Polylang."""
    rng = random.Random(11)
    pairs = posts // 2
    out = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">',
        "<channel><title>Bench</title><link>https://bench.example.net</link>",
        "<wp:wxr_version>1.2</wp:wxr_version>",
        "<wp:base_site_url>https://bench.example.net</wp:base_site_url>",
        "<wp:base_blog_url>https://bench.example.net</wp:base_blog_url>",
    ]
    for n in range(10):
        out.append(
            f"<wp:category><wp:term_id>{100 + n}</wp:term_id><wp:category_nicename>cat-{n}"
            f"</wp:category_nicename><wp:category_parent></wp:category_parent>"
            f"<wp:cat_name>Catégorie {n}</wp:cat_name></wp:category>"
        )
    for n in range(40):
        out.append(
            f"<wp:tag><wp:term_id>{200 + n}</wp:term_id><wp:tag_slug>tag-{n}</wp:tag_slug>"
            f"<wp:tag_name>Tag {n}</wp:tag_name></wp:tag>"
        )
    for lang, name in (("fr", "Français"), ("en", "English")):
        out.append(
            f"<wp:term><wp:term_id>{1 if lang == 'fr' else 2}</wp:term_id>"
            f"<wp:term_taxonomy>language</wp:term_taxonomy><wp:term_slug>{lang}</wp:term_slug>"
            f"<wp:term_name>{name}</wp:term_name></wp:term>"
        )
    for pair in range(pairs):
        group = f"pll_{pair:08d}"
        fr_id, en_id = 1000 + 2 * pair, 1001 + 2 * pair
        out.append(
            f"<wp:term><wp:term_id>{100000 + pair}</wp:term_id>"
            f"<wp:term_taxonomy>post_translations</wp:term_taxonomy>"
            f"<wp:term_slug>{group}</wp:term_slug><wp:term_name>{group}</wp:term_name>"
            f'<wp:term_description>a:2:{{s:2:"fr";i:{fr_id};s:2:"en";i:{en_id};}}'
            f"</wp:term_description></wp:term>"
        )
    for pair in range(pairs):
        group = f"pll_{pair:08d}"
        day = 1 + pair % 28
        month = 1 + (pair // 28) % 12
        year = 2010 + pair // 336
        category = pair % 10
        tags = sorted(rng.sample(range(40), 3))
        members = (("fr", 1000 + 2 * pair, WORDS), ("en", 1001 + 2 * pair, ENGLISH))
        for lang, wp_id, words in members:
            title = f"{_text(rng, words, 5).capitalize()} {pair}"
            slug = f"{lang}-{pair}-" + "-".join(title.lower().split()[:3])
            body = "\n\n".join(
                f"{_text(rng, words, 40)} <strong>{_text(rng, words, 2)}</strong> "
                f'<a href="https://example.org/{pair}">{_text(rng, words, 2)}</a>.'
                for _ in range(4)
            )
            date = f"{year}-{month:02d}-{day:02d} 10:{pair % 60:02d}:00"
            cats = "".join(
                f'<category domain="post_tag" nicename="tag-{t}">Tag {t}</category>' for t in tags
            )
            out.append(
                "<item>"
                f"<title>{escape(title)}</title>"
                f"<link>https://bench.example.net/{year}/{month:02d}/{slug}/</link>"
                "<dc:creator>claire</dc:creator>"
                f'<guid isPermaLink="false">https://bench.example.net/?p={wp_id}</guid>'
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                "<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                f"<wp:post_id>{wp_id}</wp:post_id>"
                f"<wp:post_date>{date}</wp:post_date><wp:post_date_gmt>{date}</wp:post_date_gmt>"
                f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
                "<wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>"
                "<wp:is_sticky>0</wp:is_sticky>"
                f'<category domain="category" nicename="cat-{category}">Catégorie {category}'
                f"</category>{cats}"
                f'<category domain="language" nicename="{lang}">{lang}</category>'
                f'<category domain="post_translations" nicename="{group}">{group}</category>'
                "</item>"
            )
    out.append("</channel></rss>")
    path.write_text("\n".join(out), encoding="utf-8")


def run(args: list[str], database_url: str, instance: Path) -> tuple[float, float, float, str]:
    """Run a flask command; return its wall-clock and CPU seconds, peak RSS in MB and output.

    CPU is user + system time of the command and every process it started and waited for (a
    render pool's workers too): on a machine shared with other work, it is the figure that
    says what the command costs, where wall-clock time also counts the others' turns.
    """
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env["BLOG_MEDIA_DIR"] = str(instance / "media")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    # ru_maxrss of the children is the largest one so far (kB on Linux): each run is measured
    # as the peak since the previous one, which is exact as long as runs grow or stay equal.
    return seconds, cpu, max(after.ru_maxrss, usage.ru_maxrss) / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    wxr = folder / "export.xml"
    write_wxr(wxr, args.posts)
    print(f"{args.posts} posts ({args.posts // 2} FR/EN pairs), {wxr.stat().st_size / 1e6:.1f} MB")
    results = []
    for name in ("first", "second"):
        database = folder / f"{name}.sqlite3"
        database.unlink(missing_ok=True)
        url = f"sqlite:///{database}"
        run(["db", "upgrade"], url, folder)
        if name == "first":
            *figures, output = run(["import-wxr", str(wxr), "--site", "blog"], url, folder)
            results.append(("import-wxr", *figures, output.splitlines()[0]))
            markdown = folder / "markdown"
            if markdown.exists():
                subprocess.run(["rm", "-rf", str(markdown)], check=True)
            run(["export-markdown", str(markdown)], url, folder)
        else:
            *figures, output = run(["import-markdown", str(markdown)], url, folder)
            results.append(("import-markdown", *figures, output.splitlines()[0]))
    print(f"{'command':<18}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}  report")
    for command, seconds, cpu, rss, line in results:
        print(f"{command:<18}{seconds:>8.1f}{cpu:>8.1f}{rss:>9.0f}  {line}")


if __name__ == "__main__":
    main()
