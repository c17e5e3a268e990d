"""Old addresses: WordPress permalinks and ?p=ID answer 301 to the imported post's URL."""

from pathlib import Path

import pytest
from sqlalchemy import select

from blog.models import OldAddress, Post
from blog.redirects import old_path, old_queries

DATA = Path(__file__).parent / "data" / "wxr"
BLOG_ORIGIN = "http://blog.localhost:5000"
BOOK_ORIGIN = "http://book.localhost:5000"


@pytest.fixture
def imported(app):
    """Import the test exports: the Polylang one into the blog, the book's into the book site."""
    runner = app.test_cli_runner()
    for name, site in (("polylang.xml", "blog"), ("book.xml", "book")):
        result = runner.invoke(args=["import-wxr", str(DATA / name), "--site", site])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/2019/03/les-rivieres-oubliees-de-lyon/", "/fr/2019/03/les-rivieres-oubliees-de-lyon/"),
        ("/?p=101", "/fr/2019/03/les-rivieres-oubliees-de-lyon/"),
        ("/?p=102", "/en/2019/03/the-forgotten-rivers-of-lyon/"),
        ("/?p=103&utm_source=feed", "/it/2019/03/i-fiumi-dimenticati-di-lione/"),
        # WordPress percent-encodes non-ASCII slugs, in either case.
        ("/2019/07/%c3%a9t%c3%a9-au-bord-de-l-eau/", "/fr/2019/07/ete-au-bord-de-l-eau/"),
        ("/2019/07/%C3%A9t%C3%A9-au-bord-de-l-eau", "/fr/2019/07/ete-au-bord-de-l-eau/"),
        ("/a-propos/", "/fr/a-propos/"),
        ("/a-propos/?utm_source=mail", "/fr/a-propos/"),
        ("/?page_id=201", "/fr/a-propos/"),
        ("/?page_id=202", "/en/about/"),
    ],
)
def test_old_blog_address_answers_301_to_the_new_url(imported, blog, old, new):
    response = blog.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == BLOG_ORIGIN + new


def test_redirect_leads_to_the_post(imported, blog):
    response = blog.get("/2019/03/les-rivieres-oubliees-de-lyon/", follow_redirects=True)
    assert response.status_code == 200
    assert "Les rivières oubliées de Lyon" in response.text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/parution-du-livre/", "/2025/03/parution-du-livre/"),
        ("/?p=11", "/2025/03/parution-du-livre/"),
        ("/?page_id=12", "/dossier-de-presse/"),
    ],
)
def test_old_book_address_answers_301(imported, book, old, new):
    response = book.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == BOOK_ORIGIN + new


def test_an_address_that_did_not_change_is_served(imported, blog, book):
    assert blog.get("/en/about/").status_code == 200
    assert book.get("/dossier-de-presse/").status_code == 200


@pytest.mark.parametrize(
    "old",
    [
        "/?p=105",  # a draft
        "/?p=108",  # in the trash
        "/2031/05/conference-a-grenoble/",  # scheduled, not due yet
        "/?p=107",  # refused: German is not a language of the blog
        "/?p=999",
    ],
)
def test_nothing_readers_cannot_see_is_redirected_to(imported, blog, old):
    assert blog.get(old).status_code != 301


def test_old_addresses_belong_to_their_site(imported, blog, book):
    assert blog.get("/parution-du-livre/").status_code == 404
    assert blog.get("/?p=11").status_code != 301
    assert book.get("/2019/03/les-rivieres-oubliees-de-lyon/").status_code == 404


def test_a_moved_post_is_followed(imported, blog, session):
    post = session.scalar(select(Post).where(Post.slug == "a-propos"))
    post.slug = "qui-ecrit"
    session.commit()
    response = blog.get("/a-propos/")
    assert response.headers["Location"] == BLOG_ORIGIN + "/fr/qui-ecrit/"
    assert session.scalar(select(OldAddress).where(OldAddress.path == "/a-propos")) is not None


def test_unknown_path_is_still_a_404(imported, blog):
    response = blog.get("/2019/03/nothing-here/")
    assert response.status_code == 404


def test_paths_and_queries_are_normalized():
    assert old_path("/2019/07/%C3%A9t%C3%A9/") == "/2019/07/été"
    assert old_path("/") == old_path("") == "/"
    assert old_path("a-propos") == "/a-propos"
    assert old_queries([("utm_source", "x"), ("p", "12")]) == ["p=12&utm_source=x", "p=12", ""]
    assert old_queries([("page_id", "007")]) == ["page_id=007", "page_id=7", ""]
    assert old_queries([]) == [""]
