"""WordPress import: items are known by the site they come from and their id there."""

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, func, select

from blog import db
from blog.models import ImportedItem, Post, StoreState
from blog.moving import wxr
from blog.moving.wordpress import origin_of
from blog.schema import alembic_config, upgrade

DATA = Path(__file__).parent / "data" / "wxr"
BLOG_ORIGIN = "http://blog.localhost:5000"


@pytest.fixture
def import_wxr(app):
    def run(name: str, site: str = "blog"):
        args = ["import-wxr", str(DATA / name), "--site", site]
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def store_version(session) -> int:
    session.expire_all()
    return session.scalar(select(StoreState.version)) or 0


def posts_by_slug(session) -> dict[str, Post]:
    session.expire_all()
    return {p.slug: p for p in session.scalars(select(Post))}


@pytest.mark.parametrize(
    ("blog_url", "site_url", "link", "origin"),
    [
        ("https://carnet.example.net", "", "", "carnet.example.net"),
        ("http://WWW.Carnet.example.net/", "", "", "carnet.example.net"),
        ("https://carnet.example.net:443/", "", "", "carnet.example.net"),
        ("https://carnet.example.net:8080/blog/", "", "", "carnet.example.net:8080/blog"),
        # A blog of a multisite network is known by its own address, not the network's.
        ("https://example.net/fr", "https://example.net", "", "example.net/fr"),
        ("", "https://example.net", "", "example.net"),
        ("", "", "https://example.net/", "example.net"),
        ("", "", "", ""),
    ],
)
def test_origin_is_the_normalized_address_of_the_wordpress_blog(blog_url, site_url, link, origin):
    # wxr.py reads base_blog_url first, else base_site_url, into base_url.
    export = wxr.Export("1.2", "", link, blog_url or site_url, "", {}, [], [])
    assert origin_of(export) == origin


def test_two_exports_with_overlapping_ids_both_import_fully(import_wxr, session):
    import_wxr("polylang.xml")
    before = len(posts_by_slug(session))
    output = import_wxr("overlap.xml")
    assert "Imported into blog: 2 posts, 1 pages" in output
    assert "0 items were already imported" in output
    posts = posts_by_slug(session)
    assert len(posts) == before + 3
    fr, en = posts["un-autre-carnet"], posts["another-notebook"]
    # The same Polylang group name on another site is another group.
    assert fr.translation_key == en.translation_key
    assert fr.translation_key != posts["les-rivieres-oubliees-de-lyon"].translation_key
    # `?p=101` keeps leading where it led; the report says so for the newcomer.
    assert "the old address /?p=101 already leads to post" in output
    origins = session.execute(
        select(ImportedItem.origin, func.count()).group_by(ImportedItem.origin)
    ).all()
    assert dict(origins) == {"carnet.example.net": before, "autre-carnet.example.org": 3}


def test_reimporting_either_export_changes_nothing(import_wxr, session, blog):
    import_wxr("polylang.xml")
    import_wxr("overlap.xml")
    version = store_version(session)
    for name, items in (("polylang.xml", 11), ("overlap.xml", 3)):
        output = import_wxr(name)
        assert "0 posts, 0 pages, 0 terms, 0 translation groups and 0 redirects" in output
        assert f"{items} items were already imported" in output
    assert store_version(session) == version
    # The newcomer's own old permalink leads to it.
    response = blog.get("/2020/01/un-autre-carnet/")
    assert response.headers["Location"] == BLOG_ORIGIN + "/fr/2020/01/un-autre-carnet/"


def test_a_store_imported_at_0005_keeps_working_after_the_migration(app, import_wxr, session):
    """Imports made before 0006 recorded `?p=ID` only: the migration keeps them known."""
    import_wxr("polylang.xml")
    count = len(posts_by_slug(session))
    session.close()
    with app.app_context():
        try:
            command.downgrade(alembic_config(), "0005")
            db.engine().dispose()
            upgrade()
        finally:
            upgrade()  # whatever happened, the next tests get the schema they expect
            db.engine().dispose()
    records = session.scalars(select(ImportedItem)).all()
    assert len(records) == count
    assert {r.origin for r in records} == {""}
    version = store_version(session)
    output = import_wxr("polylang.xml")
    assert "0 posts, 0 pages, 0 terms, 0 translation groups and 0 redirects" in output
    assert f"{count} items were already imported" in output
    # The re-import claimed its records: they now name the export's site.
    session.expire_all()
    assert {r.origin for r in session.scalars(select(ImportedItem))} == {"carnet.example.net"}
    assert store_version(session) > version  # the claims were written, nothing else
    assert len(posts_by_slug(session)) == count
    # An export of another site with the same ids is not mistaken for the migrated items.
    output = import_wxr("overlap.xml")
    assert "Imported into blog: 2 posts, 1 pages" in output


def test_posts_from_a_markdown_folder_are_still_known_by_their_old_address(import_wxr, session):
    """A Markdown folder keeps each post's `?p=ID` but not its origin: that is enough."""
    import_wxr("polylang.xml")
    count = len(posts_by_slug(session))
    session.execute(delete(ImportedItem))
    session.commit()
    output = import_wxr("polylang.xml")
    assert f"{count} items were already imported" in output
    assert len(posts_by_slug(session)) == count
    assert session.scalar(select(func.count()).select_from(ImportedItem)) == count
