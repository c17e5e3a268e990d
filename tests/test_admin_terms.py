"""Categories and tags managed from the desk, a name per language."""

from lxml import html as lxml_html
from sqlalchemy import select

from blog.models import Term


def test_create_a_category_with_names_per_language(desk, blog, make_post, session):
    response = desk.send(
        "/admin/terms/new",
        {"kind": "category", "slug": "", "name-fr": "Livre", "name-en": "Book", "name-it": ""},
    )
    assert response.status_code == 302
    term = session.scalar(select(Term).where(Term.slug == "livre"))
    assert term.kind == "category"
    assert term.name("fr") == "Livre" and term.name("en") == "Book"
    make_post(language="en", terms=(term,))
    assert "Category: Book" in blog.get("/en/category/livre/").text
    assert "Catégorie : Livre" in blog.get("/fr/category/livre/").text


def test_rename_keeps_the_slug_and_the_address(desk, make_term, session):
    term = make_term("tag", "maps", en="Maps", fr="Cartes")
    desk.send(
        f"/admin/terms/{term.id}", {"slug": "maps", "name-en": "Old maps", "name-fr": "Cartes"}
    )
    session.expire_all()
    assert session.get(Term, term.id).name("en") == "Old maps"


def test_a_refused_term_form_keeps_what_was_typed(desk, make_term):
    make_term("category", "livre", fr="Livre")
    response = desk.send(
        "/admin/terms/new", {"kind": "category", "slug": "livre", "name-fr": "Le livre"}
    )
    assert response.status_code == 422
    assert "already has this slug" in response.text
    tree = lxml_html.fromstring(response.data)
    assert tree.xpath('//input[@name="name-fr"]/@value') == ["Le livre"]


def test_a_term_needs_a_name(desk):
    response = desk.send("/admin/terms/new", {"kind": "tag", "slug": "x"})
    assert response.status_code == 422
    assert "at least one language" in response.text


def test_delete_a_term_keeps_the_posts(desk, make_term, make_post, session):
    term = make_term("category", "old", en="Old")
    post = make_post(language="en", terms=(term,))
    term_id, post_id = term.id, post.id
    desk.send(f"/admin/terms/{term_id}/delete")
    session.expire_all()
    assert session.get(Term, term_id) is None
    assert session.get(type(post), post_id).terms == []


def test_terms_list_shows_every_language(desk, make_term):
    make_term("category", "rivers", fr="Rivières", en="Rivers")
    text = desk.get("/admin/terms/").text
    assert "Rivières" in text and "Rivers" in text and "—" in text  # no Italian name yet


def test_tags_typed_in_the_editor_are_created(desk, session):
    desk.send(
        "/admin/posts/new",
        {"title": "T", "language": "fr", "home_site": "blog", "status": "draft",
         "tags": "Cartes anciennes, Crues", "kind": "post", "action": "save"},
    )  # fmt: skip
    slugs = sorted(session.scalars(select(Term.slug).where(Term.kind == "tag")))
    assert slugs == ["cartes-anciennes", "crues"]
    tag = session.scalar(select(Term).where(Term.slug == "crues"))
    assert tag.name("fr") == "Crues"
