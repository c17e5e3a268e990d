"""Open Graph, Twitter cards and JSON-LD: what sharing services and search engines read."""

import hashlib
import json

from lxml import html as lxml_html

from .test_static_files import STATIC


def meta(tree) -> dict[str, list[str]]:
    found = {}
    for element in tree.xpath("//head/meta[@property or @name]"):
        key = element.get("property") or element.get("name")
        found.setdefault(key, []).append(element.get("content"))
    return found


def structured(tree) -> list[dict]:
    return [json.loads(s.text) for s in tree.xpath('//script[@type="application/ld+json"]')]


def test_post_sharing_tags(blog, make_post):
    fr = make_post(language="fr", slug="crues", title="Les crues", summary="Résumé.",
                   source="![Une carte](/media/carte.png)")  # fmt: skip
    make_post(language="en", slug="floods", translation_of=fr)
    tags = meta(lxml_html.fromstring(blog.get("/fr/2025/03/crues/").data))
    assert tags["og:title"] == ["Les crues"] and tags["og:description"] == ["Résumé."]
    assert tags["og:type"] == ["article"]
    assert tags["og:url"] == ["http://blog.localhost:5000/fr/2025/03/crues/"]
    assert tags["og:locale"] == ["fr_FR"] and tags["og:locale:alternate"] == ["en_US"]
    assert tags["og:image"] == ["http://blog.localhost:5000/media/carte.png"]
    assert tags["twitter:card"] == ["summary_large_image"]


def test_blog_post_structured_data_names_the_canonical_url(book, make_post):
    make_post(language="fr", sites=("blog", "book"), slug="partout", title="Partout")
    data = structured(lxml_html.fromstring(book.get("/2025/03/partout/").data))
    assert data[0]["@type"] == "BlogPosting"
    assert data[0]["url"] == data[0]["mainEntityOfPage"]
    assert data[0]["url"] == "http://blog.localhost:5000/fr/2025/03/partout/"
    assert data[0]["headline"] == "Partout" and data[0]["inLanguage"] == "fr"


def test_homes_describe_the_website_and_the_book(blog, book):
    blog_data = structured(lxml_html.fromstring(blog.get("/en/").data))
    assert [d["@type"] for d in blog_data] == ["WebSite"]
    assert blog_data[0]["url"] == "http://blog.localhost:5000/en/"
    assert blog_data[0]["inLanguage"] == "en"
    book_data = structured(lxml_html.fromstring(book.get("/").data))
    assert [d["@type"] for d in book_data] == ["WebSite", "Book"]
    assert book_data[1]["name"] == "La Mémoire des rivières"
    assert book_data[1]["isbn"] == "9782000000006"
    cover = hashlib.sha256((STATIC / "img" / "cover.svg").read_bytes()).hexdigest()[:8]
    assert book_data[1]["image"] == f"http://book.localhost:5000/static/img/cover.{cover}.svg"


def test_structured_data_cannot_close_its_script(blog, make_post):
    make_post(language="en", slug="tricky", title="</script><script>alert(1)</script>")
    response = blog.get("/en/2025/03/tricky/")
    assert "</script><script>alert(1)" not in response.text
    data = structured(lxml_html.fromstring(response.data))
    assert data[0]["headline"] == "</script><script>alert(1)</script>"


def test_isbn_of_the_demo_book_is_valid(app):
    isbn = app.extensions["sites"]["book"].book["isbn"]
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(isbn[:12]))
    assert (10 - total % 10) % 10 == int(isbn[12])
