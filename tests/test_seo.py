"""Open Graph, Twitter cards and JSON-LD: what sharing services and search engines read."""

import hashlib
import io
import json
from datetime import UTC, datetime

from lxml import html as lxml_html
from PIL import Image

from blog import mediastore

from .helpers import image_bytes
from .test_static_files import STATIC

NOW = datetime(2026, 12, 2, tzinfo=UTC)


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
    cover = hashlib.sha256((STATIC / "img" / "cover.png").read_bytes()).hexdigest()[:8]
    assert book_data[1]["image"] == f"http://book.localhost:5000/static/img/cover.{cover}.png"


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


def shared_images(client, path: str) -> dict[str, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    return meta(lxml_html.fromstring(response.data))


def test_every_page_type_of_both_sites_shares_a_raster_image(blog, book, make_post, make_term):
    river = make_term("category", "rivieres", fr="Rivières")
    flood = make_term("tag", "crues", fr="Crues")
    make_post(sites=("blog", "book"), slug="saone", terms=(river, flood))
    make_post(kind="page", slug="a-propos", sites=("blog", "book"), published_at=None)
    pages = {
        blog: ["/fr/", "/en/", "/fr/2025/03/saone/", "/fr/a-propos/", "/fr/category/rivieres/",
               "/fr/tag/crues/", "/fr/2025/", "/fr/2025/03/"],
        book: ["/", "/2025/03/saone/", "/a-propos/", "/category/rivieres/", "/tag/crues/",
               "/2025/", "/2025/03/"],
    }  # fmt: skip
    for client, paths in pages.items():
        for path in paths:
            tags = shared_images(client, path)
            (image,) = tags["og:image"]
            assert image.rsplit(".", 1)[1] in ("png", "jpg", "jpeg"), path
            assert tags["twitter:image"] == [image]
            assert image.startswith(("http://blog.localhost:5000/", "http://book.localhost:5000/"))
    book_home = shared_images(book, "/")
    assert "/static/img/share-book." in book_home["og:image"][0]
    assert book_home["og:image:width"] == ["1200"] and book_home["og:image:height"] == ["630"]


def test_a_featured_image_is_shared_as_its_card(app, blog, media_folder, session, make_post):
    with app.test_request_context("/admin/"):
        media = mediastore.save_upload(session, image_bytes(1600, 1200, "JPEG"), "une.jpg", NOW)
        media.set_text("fr", "La Saône à Lyon", "")
        session.commit()
    make_post(slug="une", featured_media_id=media.id, source="Sans image dans le texte.")
    response = blog.get("/fr/2025/03/une/")
    tags = meta(lxml_html.fromstring(response.data))
    card = f"http://blog.localhost:5000/media/v/une.{media.fingerprint}.card.jpg"
    assert tags["og:image"] == [card] and tags["twitter:image"] == [card]
    assert tags["og:image:width"] == ["1200"] and tags["og:image:height"] == ["630"]
    assert tags["og:image:alt"] == ["La Saône à Lyon"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert structured(lxml_html.fromstring(response.data))[0]["image"] == card
    served = blog.get(card.removeprefix("http://blog.localhost:5000"))
    data = served.get_data()
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.size == (1200, 630)
