"""Every page of both demo sites: parses as HTML without errors, and hreflang is reciprocal."""

from urllib.parse import urljoin, urlsplit

import html5lib
import pytest
from lxml import html as lxml_html

from .helpers import empty_tables, make_app

ORIGINS = {"blog.localhost:5000": "blog.localhost", "book.localhost:5000": "book.localhost"}


@pytest.fixture(scope="module")
def pages(database_url):
    """Crawl both demo sites once for this module's tests; the store is emptied right after."""
    app = make_app({"DATABASE_URL": database_url, "TESTING": True})
    try:
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        return crawl(app)
    finally:
        empty_tables(app.extensions["db"]["engine"])
        app.extensions["db"]["engine"].dispose()


def crawl(app, limit=400):
    """Return {absolute URL: response} for every page reachable from both homes."""
    client = app.test_client()
    queue = ["http://blog.localhost:5000/fr/", "http://book.localhost:5000/"]
    seen, pages = set(queue), {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.get(path, headers={"Host": ORIGINS[parts.netloc]})
        response.close()
        pages[url] = response
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        tree = lxml_html.fromstring(response.data)
        for href in tree.xpath('//a/@href | //link[@rel="alternate"]/@href'):
            target = urljoin(url, href).split("#")[0]
            parts = urlsplit(target)
            # Not the switches (a language, "only in my language"): they set the crawler's cookie.
            switch = "/language/" in target or "/only/" in target
            if parts.netloc in ORIGINS and target not in seen and not switch:
                seen.add(target)
                queue.append(target)
    return pages


def test_every_demo_page_answers_and_parses_without_errors(pages):
    assert len(pages) > 80
    parser = html5lib.HTMLParser(strict=True)
    for url, response in pages.items():
        assert response.status_code in (200, 301, 302), (url, response.status_code)
        if response.mimetype == "text/html" and response.status_code == 200:
            parser.parse(response.data)  # raises on any parse error


def test_every_hreflang_set_is_reciprocal(pages):
    sets = {}
    for url, response in pages.items():
        if response.status_code == 200 and response.mimetype == "text/html":
            tree = lxml_html.fromstring(response.data)
            links = {
                link.get("hreflang"): link.get("href")
                for link in tree.xpath('//head/link[@rel="alternate"][@hreflang]')
            }
            if links:
                sets[url] = links
    assert len(sets) > 30
    for url, links in sets.items():
        assert "x-default" in links, url
        assert url in links.values() or url.split("?")[0] in links.values(), url
        for language, href in links.items():
            if language == "x-default":
                continue
            assert href in sets, (url, href)
            assert sets[href] == links, (url, href)
