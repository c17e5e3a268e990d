"""Featured images in the listings of both sites: the smallest copy, sized, lazy but the first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from blog.mediastore import save_upload
from blog.models import Kind, Post, PublicationKind, Status

from .helpers import image_bytes

NOW = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
def picture(app, session, media_folder):
    """Return a function that uploads an image (1200×800) with its French alt text."""

    def upload(name: str, width: int = 1200, height: int = 800):
        with app.app_context():
            media = save_upload(session, image_bytes(width, height), name, NOW)
        media.set_text("fr", f"Alt de {name}", "")
        session.commit()
        return media

    return upload


def teasers(response):
    assert response.status_code == 200, response.text
    return lxml_html.fromstring(response.data).xpath("//article[contains(@class, 'teaser')]")


@pytest.mark.parametrize(
    ("client_name", "path", "site"), [("blog", "/fr/", "blog"), ("book", "/", "book")]
)
def test_listing_cards_show_the_featured_image_small_sized_and_lazy_but_the_first(
    request, make_post, picture, client_name, path, site
):
    client = request.getfixturevalue(client_name)
    first, second = picture("crue.png"), picture("petit.png", 300, 200)
    make_post(sites=(site,), title="Sans image")
    make_post(sites=(site,), title="Avec la petite", featured_media_id=second.id)
    make_post(sites=(site,), title="Avec la crue", featured_media_id=first.id)
    cards = teasers(client.get(path))
    assert [c.xpath("string(.//h2/a)").strip() for c in cards] == [
        "Avec la crue",
        "Avec la petite",
        "Sans image",
    ]
    top, small, none = cards
    assert "has-image" in top.get("class") and "has-image" not in none.get("class")
    assert none.xpath(".//img") == []
    [img] = top.xpath(".//picture[@class='teaser-image']//img")
    [webp] = top.xpath(".//picture/source[@type='image/webp']/@srcset")
    stem = f"/media/v/crue.{first.fingerprint}"
    assert img.get("src") == f"{stem}.w480.png" and webp == f"{stem}.w480.webp"
    assert (img.get("width"), img.get("height")) == ("480", "320")
    assert img.get("alt") == "Alt de crue.png" and img.get("loading") is None
    # Smaller than every copy: the original itself, lazy (not the first card).
    [img] = small.xpath(".//picture//img")
    assert img.get("src") == f"/media/v/petit.{second.fingerprint}.png"
    assert (img.get("width"), img.get("height"), img.get("loading")) == ("300", "200", "lazy")


def test_an_announcement_shows_the_featured_image_of_its_original(
    session, make_post, picture, book
):
    image = picture("lancement.png")
    original = make_post(sites=("blog",), title="Lancement", featured_media_id=image.id)
    announcement = Post(
        kind=Kind.ANNOUNCEMENT,
        announces=original,
        language="fr",
        title="Le lancement, sur le carnet",
        slug="le-lancement",
        status=Status.PUBLISHED,
        published_at=NOW,
    )
    announcement.set_source("Un mot du lancement.", session=session)
    announcement.publish_on("book", PublicationKind.HOME)
    session.add(announcement)
    session.commit()
    [card] = teasers(book.get("/"))
    [img] = card.xpath(".//picture//img")
    assert img.get("src").startswith(f"/media/v/lancement.{image.fingerprint}.w480.")


def test_a_listing_costs_the_same_statements_whatever_its_featured_images(
    blog, make_post, picture, count_queries
):
    def cost(path: str) -> int:
        with count_queries() as counter:
            assert len(teasers(blog.get(path))) > 0
        return counter.count

    for n in range(2):
        make_post(title=f"Premier {n}", featured_media_id=picture(f"a{n}.png", 64, 48).id)
    few = cost("/fr/")
    for n in range(6):
        make_post(title=f"Suivant {n}", featured_media_id=picture(f"b{n}.png", 64, 48).id)
    # Another address than the first (not a page the cache kept).
    assert cost("/fr/?page=1") == few > 0
