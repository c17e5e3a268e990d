"""Menus per site and language edited in the desk (menus.py, admin/menus.py): what readers see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from blog.models import Menu, MenuItem, Status, Term, TermKind


def nav(client, path: str) -> list[tuple[str, str, int]]:
    """Return the site menu's links as (label, href, depth) in document order."""
    tree = lxml_html.fromstring(client.get(path).data)
    return [
        (a.text_content().strip(), a.get("href"), len(a.xpath("ancestor::ul")) - 1)
        for a in tree.xpath('//nav[@class="site-nav"]//a')
    ]


def menu_form(desk, path: str) -> dict:
    """Return the fields of a menu editor's form as the page gives them."""
    tree = lxml_html.fromstring(desk.get(path).data)
    form = tree.get_element_by_id("menu-form")
    data = {}
    for field in form.xpath(".//input"):
        if field.get("type") == "checkbox":
            if field.get("checked") is not None:
                data[field.get("name")] = field.get("value")
        elif field.get("name"):
            data[field.get("name")] = field.get("value") or ""
    return data


@pytest.fixture
def pages(make_post, session):
    about = make_post(kind="page", slug="a-propos", title="À propos", menu_order=1)
    contact = make_post(kind="page", slug="contact", title="Contact", menu_order=2)
    floods = Term(kind=TermKind.CATEGORY, slug="floods")
    floods.set_name("fr", "Inondations")
    floods.set_name("en", "Floods")
    session.add(floods)
    session.commit()
    return about, contact, floods


def test_a_saved_menu_replaces_the_automatic_one_in_its_language_only(desk, blog, pages):
    about, contact, floods = pages
    assert [label for label, _href, _depth in nav(blog, "/fr/")] == [
        "Accueil",
        "À propos",
        "Contact",
    ]
    editor = "/admin/menu/blog/fr"
    data = menu_form(desk, editor)  # starts from the automatic menu
    assert (data["count"], data["target-0"], data["target-1"]) == (
        "2",
        str(about.id),
        str(contact.id),
    )
    data.update({"label-1": "Écrire", "count": "4", "action": "save"})
    data.update({"kind-2": "term", "target-2": str(floods.id), "label-2": ""})
    data.update({"kind-3": "link", "target-3": "https://example.org/", "label-3": "Ailleurs",
                 "nested-3": "1"})  # fmt: skip
    response = desk.send(editor, data)
    assert response.status_code == 302
    assert nav(blog, "/fr/") == [
        ("Accueil", "/fr/", 0),
        ("À propos", "/fr/a-propos/", 0),
        ("Écrire", "/fr/contact/", 0),
        ("Inondations", "/fr/category/floods/", 0),
        ("Ailleurs", "https://example.org/", 1),
    ]
    # English readers keep the automatic menu, which shows the French pages (fallback "show").
    assert [label for label, _h, _d in nav(blog, "/en/")] == ["Home", "À propos", "Contact"]
    assert "edited in the desk" in desk.get("/admin/menu/blog").text


def test_saving_a_menu_changes_the_pages_etag(desk, blog, pages):
    first = blog.get("/fr/")
    data = menu_form(desk, "/admin/menu/blog/fr") | {"action": "remove-0"}
    pending = desk.send("/admin/menu/blog/fr", data)
    assert pending.status_code == 200 and "Not saved yet" in pending.text
    # Nothing reaches readers before the menu is saved.
    assert blog.get("/fr/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    data = menu_form(desk, "/admin/menu/blog/fr") | {"action": "save", "count": "1",
                                                     "target-0": str(pages[1].id)}  # fmt: skip
    assert desk.send("/admin/menu/blog/fr", data).status_code == 302
    again = blog.get("/fr/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "Contact"]


def test_a_menu_shows_only_visible_pages_in_the_menus_language(desk, blog, make_post, session):
    draft = make_post(kind="page", slug="bientot", title="Bientôt", status=Status.DRAFT)
    english = make_post(kind="page", language="en", slug="about", title="About")
    data = {"count": "2", "action": "save", "kind-0": "page", "target-0": str(draft.id),
            "kind-1": "page", "target-1": str(english.id)}  # fmt: skip
    assert desk.send("/admin/menu/blog/fr", data).status_code == 302
    # The draft stays out; the English page is shown as chosen, marked as English.
    tree = lxml_html.fromstring(blog.get("/fr/").data)
    links = tree.xpath('//nav[@class="site-nav"]//a')
    assert [a.text for a in links] == ["Accueil", "About"]
    assert (links[1].get("lang"), links[1].get("hreflang")) == ("en", "en")
    assert "Bientôt" not in blog.get("/fr/").text
    # Once a French version is published, the French menu leads to it.
    make_post(kind="page", slug="a-propos", title="À propos", translation_of=english)
    draft.status = Status.PUBLISHED
    session.commit()
    assert [(label, href) for label, href, _d in nav(blog, "/fr/")] == [
        ("Accueil", "/fr/"),
        ("Bientôt", "/fr/bientot/"),
        ("À propos", "/fr/a-propos/"),
    ]


def test_the_editor_moves_adds_and_removes_without_saving_until_asked(desk, blog, pages):
    about, contact, floods = pages
    editor = "/admin/menu/blog/fr"
    data = menu_form(desk, editor) | {"action": "down-0"}
    moved = desk.send(editor, data)
    assert moved.status_code == 200
    tree = lxml_html.fromstring(moved.data)
    assert tree.get_element_by_id("menu-form").xpath(".//input[@name='target-0']/@value") == [
        str(contact.id)
    ]
    data = {**data, "target-0": str(contact.id), "target-1": str(about.id)}
    data |= {"action": "add", "add": f"term:{floods.id}"}
    added = desk.send(editor, data)
    assert "Category: Inondations" in added.text
    data |= {"count": "3", "kind-2": "term", "target-2": str(floods.id), "action": "remove-1"}
    removed = lxml_html.fromstring(desk.send(editor, data).data)
    assert removed.xpath("//input[@name='count']/@value") == ["2"]
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "À propos", "Contact"]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "//evil.example/", "ftp://example.org/", "https://", "/a b", "x" * 600],
)
def test_a_link_with_a_bad_address_is_refused_and_the_menu_kept(desk, blog, pages, session, url):
    data = menu_form(desk, "/admin/menu/blog/fr")
    data |= {"label-0": "Mon étiquette", "action": "link", "link-url": url, "link-label": "Là"}
    refused = desk.send("/admin/menu/blog/fr", data)
    assert refused.status_code == 422
    assert 'value="Mon étiquette"' in refused.text and 'value="Là"' in refused.text
    data |= {"action": "save", "count": "3", "kind-2": "link", "target-2": url, "label-2": "Là"}
    assert desk.send("/admin/menu/blog/fr", data).status_code == 422
    assert session.scalar(select(Menu)) is None


def test_a_link_needs_a_label_and_unknown_targets_are_refused(desk, pages, session):
    data = {"count": "1", "action": "save", "kind-0": "link", "target-0": "/fr/", "label-0": ""}
    assert "Give the link a label." in desk.send("/admin/menu/blog/fr", data).text
    data = {"count": "1", "action": "save", "kind-0": "page", "target-0": "999999"}
    assert desk.send("/admin/menu/blog/fr", data).status_code == 422
    data = {"count": "1", "action": "save", "kind-0": "section", "target-0": "public.talks"}
    assert desk.send("/admin/menu/blog/fr", data).status_code == 422  # not a book site
    add = {"count": "0", "action": "add", "add": "term:nope"}
    assert desk.send("/admin/menu/blog/fr", add).status_code == 422
    assert session.scalar(select(Menu)) is None


@pytest.mark.parametrize("path", ["/admin/menu/nowhere/fr", "/admin/menu/book/en"])
def test_an_unknown_site_or_language_has_no_menu(desk, path):
    assert desk.get(path).status_code == 404


def test_the_book_menu_lists_its_sections_and_can_leave_them_out(desk, book, make_post):
    make_post(kind="page", sites=("book",), slug="contact", title="Contact")
    automatic = [label for label, _h, _d in nav(book, "/")]
    assert automatic[:3] == ["Accueil", "Contact", "Rencontres"]
    data = menu_form(desk, "/admin/menu/book/fr")
    assert data["target-1"] == "public.talks"
    data |= {"count": "2", "action": "save", "label-1": "Agenda"}
    assert desk.send("/admin/menu/book/fr", data).status_code == 302
    assert nav(book, "/") == [
        ("Accueil", "/", 0),
        ("Contact", "/contact/", 0),
        ("Agenda", "/rencontres/", 0),
    ]


def test_going_back_to_the_automatic_menu_and_removed_terms(desk, blog, pages, session):
    _about, _contact, floods = pages
    data = {"count": "1", "action": "save", "kind-0": "term", "target-0": str(floods.id)}
    desk.send("/admin/menu/blog/fr", data)
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "Inondations"]
    session.delete(session.get(Term, floods.id))  # its items go with it
    session.commit()
    assert session.scalar(select(MenuItem)) is None
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil"]
    response = desk.send("/admin/menu/blog/fr", {"action": "reset"})
    assert response.status_code == 302
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "À propos", "Contact"]
    assert session.scalar(select(Menu)) is None


def test_the_automatic_menu_follows_every_change_at_once(blog, make_post, session, clock):
    """The menu is built once per state of the store: a page published, coming due at its time
    (no write) or put in the trash changes it on the very next page."""
    make_post(kind="page", slug="a-propos", title="À propos", menu_order=1)
    later = make_post(
        kind="page", slug="agenda", title="Agenda", menu_order=2,
        published_at=clock() + timedelta(minutes=5),
    )  # fmt: skip
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "À propos"]
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "À propos"]
    clock.advance(minutes=6)
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "À propos", "Agenda"]
    later.deleted_at = clock()
    session.commit()
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "À propos"]
    make_post(kind="page", slug="contact", title="Contact", menu_order=3)
    assert [label for label, _h, _d in nav(blog, "/fr/")] == ["Accueil", "À propos", "Contact"]
