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


def _add_tags(session, count: int) -> None:
    for n in range(count):
        tag = Term(kind="tag", slug=f"tag-{n:04d}")
        tag.set_name("fr", f"Étiquette {n}")
        tag.set_name("en", f"Label {n}")
        session.add(tag)
    session.commit()


def _rows(response, kind: str) -> list[str]:
    heading = "Categories" if kind == "category" else "Tags"
    page = lxml_html.fromstring(response.text)
    section = page.xpath(f"//section[.//h2[normalize-space()='{heading}']]")
    return [] if not section else section[0].xpath(".//tbody/tr/td[1]/a/text()")


def test_the_terms_list_is_paged_by_kind(desk, make_term, session):
    make_term("category", "rivers", fr="Rivières", en="Rivers")
    _add_tags(session, 230)
    first = desk.get("/admin/terms/")
    assert first.status_code == 200
    assert _rows(first, "category") == ["rivers"]
    assert _rows(first, "tag") == [f"tag-{n:04d}" for n in range(100)]
    assert "230 tags" in first.text and "1 category" in first.text
    assert 'href="/admin/terms/?kind=tag&amp;page=2">More tags</a>' in first.text
    last = desk.get("/admin/terms/?kind=tag&page=3")
    assert _rows(last, "category") == []  # one kind at a time
    assert _rows(last, "tag") == [f"tag-{n:04d}" for n in range(200, 230)]
    assert "Page 3 of 3" in last.text and 'rel="next"' not in last.text
    assert 'href="/admin/terms/?kind=tag&amp;page=2">Previous page</a>' in last.text
    for wrong in ("?kind=tag&page=4", "?page=2", "?kind=tag&page=0", "?kind=topic", "?page=x"):
        assert desk.get(f"/admin/terms/{wrong}").status_code == 404, wrong


def test_the_terms_list_costs_the_same_with_thousands_of_tags(desk, session, count_queries):
    _add_tags(session, 3)
    with count_queries() as few:
        assert desk.get("/admin/terms/").status_code == 200
    for n in range(1200):
        session.add(Term(kind="tag", slug=f"more-{n:04d}"))
    session.commit()
    with count_queries() as many:
        response = desk.get("/admin/terms/")
    assert many.count == few.count
    assert len(_rows(response, "tag")) == 100


def test_the_terms_list_finds_a_term_by_slug_or_name(desk, make_term, make_post, session):
    floods = make_term("tag", "crues", fr="Crues", en="Floods")
    make_term("tag", "cartes", fr="Cartes anciennes", en="Old maps")
    make_term("category", "terrain", fr="Terrain", en="Fieldwork")
    make_term("tag", "cent-pour-cent", fr="100 % terrain")
    make_post(language="fr", terms=(floods,))
    trashed = make_post(language="en", terms=(floods,))
    trashed.deleted_at = trashed.published_at
    session.commit()
    found = desk.get("/admin/terms/?q=FLOOD")  # a name, in any case
    assert _rows(found, "tag") == ["crues"] and _rows(found, "category") == []
    assert "“FLOOD”" in found.text
    # How many posts carry it: the trashed one too (deleting the term would touch it).
    cells = lxml_html.fromstring(found.text).xpath("//tbody/tr[td/a='crues']/td/text()")
    assert cells[-1] == "2"
    assert _rows(desk.get("/admin/terms/?q=  terr  "), "category") == ["terrain"]
    # % and _ are letters here, not wildcards.
    assert _rows(desk.get("/admin/terms/?q=%25"), "tag") == ["cent-pour-cent"]
    assert _rows(desk.get("/admin/terms/?q=_"), "tag") == []
    assert "None contains these words." in desk.get("/admin/terms/?q=zzz").text
    one_kind = desk.get("/admin/terms/?kind=category&q=a")
    assert _rows(one_kind, "category") == ["terrain"] and _rows(one_kind, "tag") == []
    assert 'name="kind" value="category"' in one_kind.text


def test_the_terms_list_speaks_the_authors_language(desk, session, author):
    author.language = "fr"
    session.commit()
    _add_tags(session, 101)
    text = desk.get("/admin/terms/").text
    assert "101 mots-clés" in text and "Plus de mots-clés" in text
    assert "Chercher par slug ou par nom" in text
