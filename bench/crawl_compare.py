"""Crawl both demo sites and save every public answer, to prove a change left pages identical.

    python bench/crawl_compare.py save DIR      # crawl a fresh demo store into DIR
    python bench/crawl_compare.py diff A B      # list what differs between two saved crawls

A crawl starts at each site's home (every language of the blog), follows every link, feed,
sitemap and robots.txt of the configured hosts, and saves each answer's status, the headers
that a reader or a cache sees (not Date or the request id) and its body. Run `save` before
and after a refactoring, then `diff`: no output means byte-identical sites.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from blog import create_app

# Headers that change from one run to the next whatever the code does (Last-Modified is
# the time the demo was loaded).
PINNED = "2026-10-01 00:00:00.000000"
# ETag digests the templates' bytes (the build id), so any template edit changes it.
VOLATILE = {"date", "expires", "x-request-id", "set-cookie", "last-modified", "etag"}


def crawl(app, limit: int = 2000) -> dict[str, dict]:
    """Return {absolute URL: {status, headers, sha256, body}} for every reachable answer."""
    sites = list(app.extensions["sites"])
    origins = {site.netloc: site for site in sites}
    client = app.test_client()
    queue = []
    for site in sites:
        queue.append(site.url + "/")
        queue += [site.url + p for p in ("/sitemap.xml", "/robots.txt")]
        if site.language_prefix:
            queue += [f"{site.url}/{lang}/" for lang in site.languages]
    seen, answers = set(queue), {}
    while queue and len(answers) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.get(path, headers={"Host": parts.netloc.split(":")[0]})
        body = response.get_data()
        response.close()
        headers = sorted(
            (k.lower(), v) for k, v in response.headers.items() if k.lower() not in VOLATILE
        )
        answers[url] = {
            "status": response.status_code,
            "headers": headers,
            "sha256": hashlib.sha256(body).hexdigest(),
            "body": body,
        }
        if response.status_code in (301, 302, 303, 307, 308):
            targets = [response.headers["Location"]]
        elif response.mimetype == "text/html" and body:
            tree = lxml_html.fromstring(body)
            targets = tree.xpath("//a/@href | //link/@href | //img/@src | //script/@src")
        elif response.mimetype in ("application/xml", "text/xml") and body:
            targets = [t.strip() for t in lxml_html.fromstring(body).xpath("//loc/text()")]
        else:
            targets = []
        for href in targets:
            target = urljoin(url, href).split("#")[0]
            if urlsplit(target).netloc in origins and target not in seen:
                seen.add(target)
                queue.append(target)
    return answers


def save(directory: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/crawl.sqlite3", "TESTING": True})
        runner = app.test_cli_runner()
        for args in (["db", "upgrade"], ["demo"]):
            result = runner.invoke(args=args)
            if result.exit_code != 0:
                sys.exit(f"{' '.join(args)} failed: {result.output}")
        # The demo stamps what it creates without a date of its own (announcements) with the
        # time it runs: pin those stamps so that two crawls can be compared.
        with sqlite3.connect(f"{tmp}/crawl.sqlite3") as connection:
            connection.execute(
                "UPDATE post SET updated_at = ?, created_at = ? WHERE updated_at > ?",
                (PINNED, PINNED, PINNED),
            )
        answers = crawl(app)
    directory.mkdir(parents=True, exist_ok=True)
    index = {}
    for url, answer in answers.items():
        (directory / answer["sha256"]).write_bytes(answer["body"])
        index[url] = {k: v for k, v in answer.items() if k != "body"}
    (directory / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))
    print(f"{len(index)} answers saved in {directory}")


def diff(before: Path, after: Path) -> int:
    a = json.loads((before / "index.json").read_text())
    b = json.loads((after / "index.json").read_text())
    differences = 0
    for url in sorted(a.keys() | b.keys()):
        if url not in a or url not in b:
            print(f"{'only after' if url in b else 'only before'}: {url}")
            differences += 1
        elif a[url] != b[url]:
            what = [k for k in ("status", "headers", "sha256") if a[url][k] != b[url][k]]
            print(f"differs ({', '.join(what)}): {url}")
            differences += 1
    print(f"{len(a)} before, {len(b)} after, {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "save":
        save(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
