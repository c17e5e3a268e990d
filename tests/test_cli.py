"""Commands: demo content and database upgrades."""

from sqlalchemy import func, select, update

from blog.models import Post, Term

from .helpers import make_app


def test_demo_loads_once_and_duplicates_nothing(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    posts = session.scalar(select(func.count(Post.id)))
    terms = session.scalar(select(func.count(Term.id)))
    assert posts >= 20 and terms >= 5
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "0 posts created" in second.output
    assert session.scalar(select(func.count(Post.id))) == posts


def test_demo_covers_what_the_product_promises(app, session):
    app.test_cli_runner().invoke(args=["demo"])
    posts = list(session.scalars(select(Post)))
    assert {p.language for p in posts} == {"fr", "en", "it"}
    assert any(set(p.sites) == {"book", "blog"} for p in posts)
    groups = {}
    for p in posts:
        groups.setdefault(p.translation_key, set()).add(p.language)
    assert any({"fr", "en"} <= langs for langs in groups.values())
    assert all(p.language == "fr" for p in posts if p.is_on("book"))
    announcements = [p for p in posts if p.kind == "announcement"]
    # Both directions: a book post announced on the blog, a blog post announced on the book site.
    assert {(a.announces.home_site, a.home_site) for a in announcements} == {
        ("book", "blog"),
        ("blog", "book"),
    }


def test_demo_site_pages_answer(app):
    app.test_cli_runner().invoke(args=["demo"])
    client = app.test_client()
    for host, path in [("book.localhost", "/"), ("blog.localhost", "/fr/"),
                       ("blog.localhost", "/en/"), ("blog.localhost", "/it/")]:  # fmt: skip
        assert client.get(path, headers={"Host": host}).status_code == 200


def test_db_upgrade_creates_a_fresh_database(tmp_path):
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "is at head" in result.output
    assert (tmp_path / "fresh.sqlite3").exists()
    app.extensions["db"]["engine"].dispose()


def test_rerender_brings_every_stored_text_up_to_date(app, blog, make_post, session, cli):
    """A text saved by an older renderer (here: its `#` heading reduced to words) gets
    today's HTML; its source, text version and the other texts stay as they are."""
    old = make_post(language="fr", slug="crues", source="# Crues\n\nLa Seine monte.")
    other = make_post(language="fr", slug="autre", source="## Autre\n\nRien.")
    stale = "<p>Crues</p>\n<p>La Seine monte.</p>"
    session.execute(update(Post).where(Post.id == old.id).values(html=stale))
    session.commit()
    version, other_html = old.text_version, other.html
    assert '<h2 id="crues">' not in blog.get(f"/fr/{old.published_at:%Y/%m}/crues/").text
    assert "Rendered 2 texts again: 1 changed." in cli("rerender").output
    session.expire_all()
    assert old.html.startswith('<h2 id="crues">') and old.text_version == version
    assert other.html == other_html
    page = blog.get(f"/fr/{old.published_at:%Y/%m}/crues/").text
    assert '<h2 id="crues">' in page
    assert "Rendered 2 texts again: 0 changed." in cli("rerender").output
