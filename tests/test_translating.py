"""Translating without friction (issue 16, point 3): new translations, the outdated flag,
tag names across languages."""

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from blog.models import Post, Term, TermKind


def form_of(response):
    tree = lxml_html.fromstring(response.data)
    # What a browser sends: the form's fields, and those beside it that name it (form="editor").
    named = "(self::input or self::textarea or self::select) and @name"
    values = {}
    for field in tree.xpath(f'//form[@id="editor"]//*[{named}] | //*[@form="editor"][{named}]'):
        name = field.get("name")
        if field.tag == "select":
            chosen = field.xpath("option[@selected]/@value") or field.xpath("option/@value")[:1]
            values[name] = chosen[0] if chosen else ""
        elif field.get("type") == "checkbox":
            if field.get("checked") is not None:
                values.setdefault(name, []).append(field.get("value"))
        else:
            values[name] = field.text or "" if field.tag == "textarea" else field.get("value", "")
    return tree, values


def start_translation(desk, original, language):
    response = desk.send(f"/admin/posts/{original.id}/translate", {"language": language})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/posts/new?")
    return desk.get(response.headers["Location"])


def test_a_translation_starts_with_an_empty_slug_and_the_original_beside(desk, make_post):
    original = make_post(language="en", slug="flood-marks", title="Flood marks", source="Text")
    editor = start_translation(desk, original, "fr")
    tree, values = form_of(editor)
    assert values["title"] == "" and values["slug"] == ""
    assert values["language"] == "fr" and values["translation_of"] == str(original.id)
    assert values["source"] == "Text"
    reference = tree.xpath('//section[@class="reference"]')[0]
    assert reference.get("lang") == "en" and "Flood marks" in reference.text_content()


def test_saving_a_translation_joins_the_group_at_its_own_address(desk, make_post, session):
    original = make_post(language="en", slug="flood-marks", title="Flood marks")
    _tree, values = form_of(start_translation(desk, original, "fr"))
    values.update(title="Les repères de crue", source="Texte", action="save")
    response = desk.send("/admin/posts/new", values)
    assert response.status_code == 302, response.text
    draft = session.scalar(select(Post).where(Post.language == "fr"))
    assert draft.slug == "les-reperes-de-crue"
    assert draft.translation_key == original.translation_key
    assert draft.translated_from_id == original.id
    assert draft.translated_from_version == original.text_version
    assert draft.translated_from_revision_id is None  # the fixture's post has no revision
    assert not draft.is_outdated
    # Asking again opens the translation that exists now.
    again = desk.send(f"/admin/posts/{original.id}/translate", {"language": "fr"})
    assert again.headers["Location"].startswith(f"/admin/posts/{draft.id}")


def test_the_original_trashed_its_address_is_not_the_translations(blog, desk, make_post, session):
    original = make_post(language="en", slug="flood-marks", title="Flood marks")
    _tree, values = form_of(start_translation(desk, original, "fr"))
    values.update(title="Repères", status="published", action="save")
    assert desk.send("/admin/posts/new", values).status_code == 302
    original.deleted_at = original.published_at
    session.commit()
    assert blog.get(f"/en/{original.published_at:%Y/%m}/flood-marks/").status_code == 404


def save(desk, post_id, **changes):
    _tree, values = form_of(desk.get(f"/admin/posts/{post_id}"))
    values.update(changes, action="save")
    response = desk.send(f"/admin/posts/{post_id}", values)
    assert response.status_code == 302, response.text
    return response


def test_an_edit_of_the_original_flags_the_translation_until_marked(desk, make_post, session):
    original = make_post(language="en", slug="flood-marks", title="Flood marks", source="Old")
    save(desk, original.id, source="Old words.")  # a revision to translate from
    _tree, values = form_of(start_translation(desk, original, "fr"))
    values.update(title="Repères", source="Vieux mots.", action="save")
    desk.send("/admin/posts/new", values)
    french = session.scalar(select(Post).where(Post.language == "fr"))
    # A change of status only is not a change of the text.
    save(desk, original.id, status="draft")
    session.expire_all()
    assert not session.get(Post, french.id).is_outdated
    save(desk, original.id, source="Old words, and new ones.")
    session.expire_all()
    assert session.get(Post, french.id).is_outdated
    listing = lxml_html.fromstring(desk.get("/admin/?outdated=1").data)
    row = listing.xpath(f'//tr[td/a[@href="/admin/posts/{french.id}"]]')[0]
    assert row.xpath('.//a[contains(@class, "outdated")]')
    view = lxml_html.fromstring(desk.get("/admin/translations/outdated").data)
    assert view.xpath(f'//table//a[@href="/admin/posts/{french.id}"]')
    editor = lxml_html.fromstring(desk.get(f"/admin/posts/{french.id}").data)
    notice = editor.xpath('//section[@class="outdated"]')[0]
    assert notice.xpath(".//ins/text()") == [", and new ones"]
    response = desk.send(f"/admin/posts/{french.id}/up-to-date")
    assert response.status_code == 302
    session.expire_all()
    assert not session.get(Post, french.id).is_outdated
    assert not lxml_html.fromstring(desk.get(f"/admin/posts/{french.id}").data).xpath(
        '//section[@class="outdated"]'
    )
    view = lxml_html.fromstring(desk.get("/admin/translations/outdated").data)
    assert not view.xpath(f'//table//a[@href="/admin/posts/{french.id}"]')


def test_a_tag_found_by_its_name_in_another_language(desk, make_post, make_term, session):
    floods = make_term(TermKind.TAG, "floods", en="floods", fr="inondations")
    original = make_post(language="en", slug="flood-marks", terms=(floods,))
    _tree, values = form_of(start_translation(desk, original, "fr"))
    assert values["tags"] == "inondations"
    values.update(title="Repères", tags="Inondations", action="save")
    desk.send("/admin/posts/new", values)
    assert session.scalars(select(Term).where(Term.kind == TermKind.TAG)).all() == [floods]


def test_a_translation_names_the_tags_it_carries(desk, make_post, make_term, session):
    floods = make_term(TermKind.TAG, "floods", en="floods")
    original = make_post(language="en", slug="flood-marks", terms=(floods,))
    tree, values = form_of(start_translation(desk, original, "fr"))
    assert tree.xpath(f'//input[@name="term-name-{floods.id}"]')
    values.update(title="Repères", action="save", **{f"term-name-{floods.id}": "inondations"})
    desk.send("/admin/posts/new", values)
    session.expire_all()
    tag = session.get(Term, floods.id)
    assert tag.name("fr") == "inondations" and tag.name("en") == "floods"
    assert session.scalars(select(Term).where(Term.kind == TermKind.TAG)).all() == [tag]


def suggestions(desk, **args) -> list[dict]:
    response = desk.get("/admin/tags.json", query_string=args)
    assert response.status_code == 200 and response.is_json
    return response.json["tags"]


def test_typing_a_new_name_offers_it_to_the_groups_unnamed_tag(desk, make_post, make_term, session):
    floods = make_term(TermKind.TAG, "floods", en="floods")
    original = make_post(language="en", slug="flood-marks", terms=(floods,))
    found = suggestions(desk, q="inondations", language="fr", reference=original.id)
    assert found[0]["insert"] == "inondations" and found[0]["name_for"] == floods.id
    assert "“floods”" in found[0]["note"]
    # Typed as the tag's name in the field too (what the script does), it is still that tag.
    _tree, values = form_of(start_translation(desk, original, "fr"))
    values.update(title="Repères", tags="inondations", action="save")
    values[f"term-name-{floods.id}"] = "inondations"
    assert desk.send("/admin/posts/new", values).status_code == 302
    session.expire_all()
    assert session.scalars(select(Term).where(Term.kind == TermKind.TAG)).all() == [floods]
    assert session.get(Term, floods.id).name("fr") == "inondations"
    # Now named in French, the tag is found by that name; nothing is offered to rename it.
    found = suggestions(desk, q="inond", language="fr", reference=original.id)
    assert [(t["insert"], t["name_for"]) for t in found] == [("inondations", None)]


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("ecl", "fr", ["Écluses"]),  # accents and case ignored
        ("LOCK", "fr", ["Écluses"]),  # found by its English name, offered by its French one
        ("riv", "fr", ["rivers"]),  # no French name yet: offered by the one it has
        ("riv", "it", ["rivers"]),
        ("x", "fr", []),
        ("", "fr", []),
        ("ecl", "de", []),  # not a language of the sites
    ],
)
def test_tags_are_found_by_any_of_their_names(desk, make_term, typed, language, expected):
    make_term(TermKind.TAG, "locks", en="locks", fr="Écluses")
    make_term(TermKind.TAG, "rivers", en="rivers")
    make_term(TermKind.CATEGORY, "lockdown", en="lockdown")  # a category is no tag
    found = suggestions(desk, q=typed, language=language)
    assert [t["insert"] for t in found] == expected
    if expected == ["rivers"]:
        assert "no name in" in found[0]["note"]


def test_tag_suggestions_are_for_signed_in_authors_only(app, blog, make_term):
    make_term(TermKind.TAG, "floods", en="floods")
    response = blog.get("/admin/tags.json?q=flo&language=en")
    assert response.status_code in (302, 401, 403) and b"floods" not in response.data
