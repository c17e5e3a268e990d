"""WordPress import: page parents, sticky posts, formats, featured images and comments."""

import re
from pathlib import Path

import pytest
from lxml import html
from sqlalchemy import select

from blog.models import Post

DATA = Path(__file__).parent / "data" / "wxr"


@pytest.fixture
def imported(app):
    """Import structure.xml into the book site (bare paths); return the report."""
    args = ["import-wxr", str(DATA / "structure.xml"), "--site", "book"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output


def posts_by_slug(session) -> dict[str, Post]:
    session.expire_all()
    return {p.slug: p for p in session.scalars(select(Post))}


def test_pages_keep_their_parent(imported, session):
    posts = posts_by_slug(session)
    assert posts["les-pentes"].parent_id == posts["le-quartier"].id
    assert posts["la-montee"].parent_id == posts["les-pentes"].id
    assert posts["les-traboules"].parent_id == posts["le-quartier"].id
    assert posts["sous-le-brouillon"].parent_id == posts["page-cachee"].id
    assert posts["orpheline"].parent_id is None
    assert posts["le-quartier"].parent_id is None
    assert "4 pages placed under their parent page." in imported
    assert (
        "page 804 “Orpheline”: its parent page 999 did not come across: a top-level page here"
        in imported
    )


def test_menu_nests_children_under_their_parent(imported, book):
    page = html.fromstring(book.get("/").text)
    nav = page.xpath("//nav[@class='site-nav']/ul")[0]
    top = [li.xpath("./a/text()")[0] for li in nav.xpath("./li")]
    # The hidden parent is not named; its visible child stays in the menu, at the top level
    # (the book's own sections follow the pages).
    assert top[:4] == ["Accueil", "Le quartier", "Orpheline", "Sous le brouillon"]
    quartier = nav.xpath("./li[a='Le quartier']")[0]
    assert quartier.xpath("./ul/li/a/text()") == ["Les pentes", "Les traboules"]
    assert quartier.xpath("./ul/li[a='Les pentes']/ul/li/a/text()") == ["La montée"]


def test_a_child_page_shows_its_trail_of_parents(imported, book):
    page = html.fromstring(book.get("/la-montee/").text)
    trail = page.xpath("//nav[@class='breadcrumb']")[0]
    assert trail.get("aria-label") == "Fil d’Ariane"
    assert trail.xpath(".//a/text()") == ["Le quartier", "Les pentes"]
    assert trail.xpath(".//a/@href") == ["/le-quartier/", "/les-pentes/"]
    assert trail.xpath(".//li[@aria-current='page']/text()") == ["La montée"]
    # A top-level page has no trail; a draft parent is never named.
    assert not html.fromstring(book.get("/le-quartier/").text).xpath("//nav[@class='breadcrumb']")
    hidden = book.get("/sous-le-brouillon/").text
    assert "breadcrumb" not in hidden and "Page cachée" not in hidden


def test_a_sticky_post_is_pinned_first_on_the_home_page(imported, book, session):
    posts = posts_by_slug(session)
    assert posts["epingle-ancien"].pinned
    assert not posts["un-lien"].pinned and not posts["le-quartier"].pinned
    titles = [t.strip() for t in html.fromstring(book.get("/").text).xpath("//article/h2/a/text()")]
    assert titles == ["Épinglé ancien", "Un lien", "Une galerie", "Un aparté"]
    assert "Épinglé</span>" in book.get("/").text
    # Archives and feeds keep the order of dates.
    feed = book.get("/feed.atom").text
    assert feed.index("Un lien") < feed.index("Épinglé ancien")
    assert "post 811 “Épinglé ancien”" in imported.split("Pinned (sticky on WordPress")[1]


def test_formats_featured_images_and_comments_are_counted_in_the_report(imported):
    assert "3 post formats (aside: 2, gallery: 1): not imported, the posts are ordinary" in (
        re.sub(r"\s+", " ", imported)
    )
    assert "2 featured images (_thumbnail_id): not imported" in imported
    assert "2 comments imported (2 approved)." in imported


def test_the_desk_pins_and_unpins_a_post(desk, session, make_post):
    post = make_post(title="À épingler", published_at=None)
    page = desk.get(f"/admin/posts/{post.id}")
    assert 'name="pinned"' in page.text and "Listed first on the home page" in page.text
    form = {
        "title": post.title,
        "slug": post.slug,
        "language": "fr",
        "home_site": "blog",
        "status": "published",
        "source": post.source,
        "version": str(post.version),
        "kind": "post",
        "pinned": "1",
    }
    response = desk.send(f"/admin/posts/{post.id}", form)
    assert response.status_code in (302, 303), response.text
    session.expire_all()
    assert session.get(Post, post.id).pinned
    form.update(version=str(session.get(Post, post.id).version))
    del form["pinned"]
    desk.send(f"/admin/posts/{post.id}", form)
    session.expire_all()
    assert not session.get(Post, post.id).pinned
