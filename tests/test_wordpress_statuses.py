"""WordPress import: nothing that was not public on WordPress becomes public here.

statuses.xml holds every status and visibility WordPress has (publish, publish with a
password, private, pending, draft, future, trash, auto-draft, inherit) for posts and pages,
in French and English. Whatever is not public there has a title and text starting with
"Secret"; each public surface of the site is read and must not show any of it.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from blog.models import Kind, Post, Status
from blog.moving import wxr

DATA = Path(__file__).parent / "data" / "wxr"
EXPORT = wxr.read(DATA / "statuses.xml")
PROTECTED = [item for item in EXPORT.items if item.password]
FEEDS = ("feed.atom", "feed.rss", "feed.json")
# The site's address prefixes: the blog's languages, the book's bare paths.
PREFIXES = {"blog": ("", "/fr", "/en", "/it"), "book": ("",)}
PUBLIC_TITLES = {"blog": ("Billet public", "Public post"), "book": ("Billet public",)}


@pytest.fixture(params=["blog", "book"])
def imported(request, app, session):
    """Import statuses.xml into one site; return (site key, its client, the report)."""
    site = request.param
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-wxr", str(DATA / "statuses.xml"), "--site", site])
    assert result.exit_code == 0, result.output
    return site, request.getfixturevalue(site), result.output


def listing_surfaces(prefix: str) -> list[str]:
    """Return the listings, archives and feeds (every scope) of one language of a site."""
    paths = [f"{prefix}/", f"{prefix}/2024/", f"{prefix}/2024/05/", f"{prefix}/2031/"]
    paths += [f"{prefix}/2031/06/", f"{prefix}/category/terrain/", f"{prefix}/tag/ete/"]
    for scope in ("", "/category/terrain", "/tag/ete"):
        paths += [f"{prefix}{scope}/{feed}" for feed in FEEDS]
    return paths


def assert_nothing_secret(response, path: str) -> None:
    assert response.status_code < 500, path
    assert "secret" not in response.text.lower(), path
    assert "secret" not in response.headers.get("Location", "").lower(), path
    assert "hunter2" not in response.text, path


def test_every_listing_feed_and_archive_shows_only_public_items(imported):
    site, client, _output = imported
    for prefix in PREFIXES[site]:
        for path in listing_surfaces(prefix):
            response = client.get(path, follow_redirects=True)
            assert_nothing_secret(response, path)
            if prefix or site == "book":
                assert response.status_code == 200, path
            if response.status_code == 200 and "2031" not in path:
                # The surface works: it shows what was public on WordPress.
                assert any(title in response.text for title in PUBLIC_TITLES[site]), path
    for path in ("/sitemap.xml", "/sitemap-1.xml"):
        assert_nothing_secret(client.get(path), path)
    assert "billet-public" in client.get("/sitemap-1.xml").text


def test_public_posts_and_pages_do_not_reveal_their_hidden_translations(imported):
    site, client, _output = imported
    prefix = "/fr" if site == "blog" else ""
    for path in (f"{prefix}/2024/05/billet-public/", f"{prefix}/page-publique/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_nothing_secret(response, path)


def test_no_hidden_item_has_a_public_address(imported, session):
    site, client, _output = imported
    hidden = list(session.scalars(select(Post).where(Post.title.startswith("Secret"))))
    assert hidden
    for post in hidden:
        assert not post.is_visible()
        moment = post.published_at or post.created_at
        tail = (
            f"/{post.slug}/"
            if post.kind == Kind.PAGE
            else f"/{moment.year:04d}/{moment.month:02d}/{post.slug}/"
        )
        for prefix in PREFIXES[site]:
            response = client.get(prefix + tail)
            assert response.status_code == 404, prefix + tail
            assert_nothing_secret(response, prefix + tail)


def test_old_addresses_lead_only_to_public_items(imported):
    site, client, _output = imported
    for item in EXPORT.items:
        old = urlsplit(item.link)
        paths = [old.path + (f"?{old.query}" if old.query else ""), f"/?p={item.wp_id}"]
        paths.append(f"/?page_id={item.wp_id}")
        for path in paths:
            response = client.get(path)
            if item.title.startswith("Secret"):
                assert response.status_code != 301, path
                assert_nothing_secret(response, path)
    # The redirects work: the public French post's old addresses lead to it (on the book,
    # its old permalink is its address here).
    for path in ("/?p=501", "/?page_id=601", *(("/2024/05/billet-public/",) * (site == "blog"))):
        assert client.get(path).status_code == 301, path


def test_report_lists_each_protected_item_and_never_its_password(imported, session):
    site, _client, output = imported
    accepted = {"blog": {"fr", "en"}, "book": {"fr"}}[site]
    listed = [item for item in PROTECTED if item.terms_of("language")[0].slug in accepted]
    assert len(listed) >= 4
    for item in listed:
        line = f"{item.describe()}: protected by a password on WordPress: imported as a draft"
        assert line in output
    assert "hunter2" not in output
    # Private items are named too, and every one of them is a draft here.
    assert "post 503 “Secret 503”: private on WordPress: imported as a draft" in output
    for post in session.scalars(select(Post).where(Post.title.startswith("Secret"))):
        assert post.status == Status.DRAFT or post.deleted_at or post.is_scheduled, post.title


def test_a_protected_post_made_public_by_an_earlier_import_is_withdrawn(app, session, blog):
    from blog.models import Revision

    runner = app.test_cli_runner()
    args = ["import-wxr", str(DATA / "statuses.xml"), "--site", "blog"]
    assert runner.invoke(args=args).exit_code == 0
    # As the import did before it knew about passwords: the protected post was published.
    leaked = session.scalar(select(Post).where(Post.title == "Secret 502"))
    leaked.status = Status.PUBLISHED
    session.commit()
    assert blog.get("/fr/2024/05/secret-502/").status_code == 200
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert (
        "post 502 “Secret 502”: protected by a password on WordPress, yet public here after an "
        "earlier import: now a draft" in result.output
    )
    assert blog.get("/fr/2024/05/secret-502/").status_code == 404
    session.expire_all()
    assert leaked.status == Status.DRAFT
    notes = session.scalars(select(Revision.note).where(Revision.post_id == leaked.id)).all()
    assert "Imported from WordPress: not public there" in notes
