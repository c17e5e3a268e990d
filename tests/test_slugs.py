"""One slugify for every slug: titles in any script get a meaningful ASCII slug."""

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from blog.models import Post
from blog.slugs import slugify
from tests.test_admin_posts import form_data

STATIC = Path(__file__).parent.parent / "blog" / "static"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Cœur de ville", "coeur-de-ville"),
        ("L’été", "l-ete"),
        ("L'été indien", "l-ete-indien"),
        ("Ærø et l’Œuvre", "aero-et-l-oeuvre"),
        ("Straße", "strasse"),
        ("Les Rivières d’été", "les-rivieres-d-ete"),
        ("Ελληνικά νέα", "ellinika-nea"),
        ("ΑΘΗΝΑ: Ψυχή", "athina-psychi"),
        ("Москва — столица", "moskva-stolitsa"),
        ("Щука и ёж", "shchuka-i-ezh"),
        ("Київ", "kiiv"),
        ("« Guillemets » … et ﬁn", "guillemets-et-fin"),
        ("東京", ""),
    ],
)
def test_titles_in_every_script_get_a_meaningful_ascii_slug(title, slug):
    assert slugify(title) == slug


def test_a_slug_is_never_longer_than_the_store_takes():
    slug = slugify("Ψ" * 200)
    assert len(slug) <= 120 and slug.startswith("psps") and not slug.endswith("-")


def test_the_endpoint_suggests_the_servers_slug(desk):
    response = desk.get("/admin/slug", query_string={"title": "Cœur de ville, Αθήνα"})
    assert response.status_code == 200
    assert response.json == {"slug": "coeur-de-ville-athina"}
    assert "no-store" in response.headers["Cache-Control"]
    assert desk.get("/admin/slug").json == {"slug": ""}


def test_the_endpoint_is_for_signed_in_authors_and_takes_no_post(blog, desk):
    response = blog.get("/admin/slug?title=x")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert desk.send("/admin/slug", {"title": "x"}).status_code == 405


def test_the_editor_asks_the_server_and_keeps_no_slugify_of_its_own(desk):
    page = desk.get("/admin/posts/new").text
    assert 'data-slug-url="/admin/slug"' in page
    script = (STATIC / "admin.js").read_text(encoding="utf-8")
    assert "dataset.slugUrl" in script
    assert "normalize(" not in script and "function slugify" not in script


def test_the_desk_makes_the_slug_from_a_greek_title(desk, session):
    response = desk.send("/admin/posts/new", form_data(title="Ελληνικά νέα", slug=""))
    assert response.status_code == 302
    assert session.scalar(select(Post.slug).where(Post.title == "Ελληνικά νέα")) == "ellinika-nea"


def test_import_markdown_makes_the_slug_from_the_title(cli, session, tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "coeur.md").write_text(
        "---\ntitle: Cœur de ville\nlanguage: fr\nsites: [blog]\n---\nTexte.", encoding="utf-8"
    )
    cli("import-markdown", str(tmp_path))
    assert session.scalar(select(Post.slug).where(Post.title == "Cœur de ville")) == (
        "coeur-de-ville"
    )


WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><title>T</title><link>https://t.example.net</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://t.example.net</wp:base_site_url>
<item><title>{title}</title><link>https://t.example.net/?p=7</link>
<content:encoded><![CDATA[Texte.]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>7</wp:post_id><wp:post_date>2020-01-02 10:00:00</wp:post_date>
<wp:post_date_gmt>2020-01-02 09:00:00</wp:post_date_gmt><wp:post_name>{name}</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("title", "name", "slug"),
    [
        ("Москва", quote("москва"), "moskva"),  # WordPress keeps the slug percent-encoded
        ("L’été", "", "l-ete"),  # no slug: made from the title
    ],
)
def test_import_wxr_makes_ascii_slugs_from_unicode_ones(cli, session, tmp_path, title, name, slug):
    path = tmp_path / "export.xml"
    path.write_text(WXR.format(title=title, name=name), encoding="utf-8")
    cli("import-wxr", str(path), "--site", "blog")
    assert session.scalar(select(Post.slug).where(Post.title == title)) == slug
