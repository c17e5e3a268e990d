"""The desk's posts: list, editor, preview, scheduling, translations, revisions, trash."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select, update

from blog import rendering
from blog.models import Post, Revision
from blog.rendering import render_markdown


def form_data(**overrides):
    data = {
        "title": "Les crues de 1910",
        "slug": "",
        "language": "fr",
        "home_site": "blog",
        "summary": "Un résumé.",
        "source": "Un texte **important**.",
        "status": "published",
        "published_at": "",
        "tags": "",
        "kind": "post",
        "version": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def created(session, slug):
    session.expire_all()
    return session.scalar(select(Post).where(Post.slug == slug))


def test_author_writes_and_publishes_a_post(desk, blog, session):
    response = desk.send("/admin/posts/new", form_data())
    assert response.status_code == 302
    post = created(session, "les-crues-de-1910")  # slug suggested from the title
    assert post.html == "<p>Un texte <strong>important</strong>.</p>"
    assert post.home_site == "blog"
    assert response.headers["Location"] == f"/admin/posts/{post.id}?saved=1"
    assert session.scalar(select(func.count(Revision.id)).where(Revision.post_id == post.id)) == 1
    month = post.published_at.strftime("%Y/%m")
    assert "Un texte" in blog.get(f"/fr/{month}/les-crues-de-1910/").text


def test_a_refused_form_comes_back_with_the_text_intact(desk, session):
    source = "A long text\nwith *lines* & <symbols>."
    response = desk.send("/admin/posts/new", form_data(title="", source=source))
    assert response.status_code == 422
    tree = lxml_html.fromstring(response.data)
    assert tree.xpath('//textarea[@id="source"]/text()') == [source]
    assert "Give the post a title." in response.text
    assert session.scalar(select(func.count(Post.id))) == 0


def test_the_french_only_rule_shows_as_a_form_error(desk, session):
    response = desk.send(
        "/admin/posts/new",
        form_data(language="en", home_site="book", title="An English post", source="Kept text"),
    )
    assert response.status_code == 422
    assert "publishes only in French" in response.text
    assert "Kept text" in response.text
    assert session.scalar(select(func.count(Post.id))) == 0


def test_cross_posting_an_english_post_on_the_book_site_is_a_form_error(desk):
    response = desk.send(
        "/admin/posts/new", form_data(language="en", home_site="blog", sites=["book"])
    )
    assert response.status_code == 422
    assert "publishes only in French" in response.text


def test_a_taken_slug_is_a_form_error(desk, make_post):
    make_post(language="fr", slug="deja-pris")
    response = desk.send("/admin/posts/new", form_data(slug="deja-pris"))
    assert response.status_code == 422
    assert "already used" in response.text


def test_a_bad_time_is_a_form_error(desk):
    response = desk.send("/admin/posts/new", form_data(published_at="next tuesday"))
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.text


def test_preview_uses_the_publishing_pipeline(desk, session):
    source = "# Hi\n\n<script>alert(1)</script> **bold** [x](javascript:alert(1))"
    response = desk.send("/admin/posts/new", form_data(source=source, action="preview"))
    assert response.status_code == 200
    preview = lxml_html.fromstring(response.data).xpath('//div[@id="preview"]')[0]
    inner = "".join(lxml_html.tostring(child, encoding="unicode") for child in preview)
    assert "<strong>bold</strong>" in inner and "<script" not in inner
    assert lxml_html.fromstring(render_markdown(source)).text_content() in preview.text_content()
    assert session.scalar(select(func.count(Post.id))) == 0  # a preview saves nothing


def test_live_preview_endpoint_returns_exactly_what_readers_get(desk):
    source = "Text with a footnote.[^1]\n\n[^1]: Note <img src=x onerror=alert(1)>"
    response = desk.post(
        "/admin/preview", data={"source": source}, headers={"X-CSRF-Token": desk.token}
    )
    assert response.status_code == 200
    assert response.text == render_markdown(source)


def test_live_preview_needs_the_csrf_token(desk):
    assert desk.post("/admin/preview", data={"source": "x"}).status_code == 400


def test_a_future_time_schedules_the_post(desk, blog, session):
    later = (datetime.now(UTC) + timedelta(days=2)).astimezone()
    desk.send(
        "/admin/posts/new",
        form_data(title="Plus tard", published_at=later.strftime("%Y-%m-%dT%H:%M")),
    )
    post = created(session, "plus-tard")
    assert post.is_scheduled
    assert "Plus tard" not in blog.get("/fr/").text
    assert "Scheduled" in desk.get("/admin/?status=scheduled").text
    # When the time comes, the post appears: nothing has to run for that.
    session.execute(update(Post).values(published_at=datetime.now(UTC) - timedelta(minutes=1)))
    session.commit()
    assert "Plus tard" in blog.get("/fr/").text
    assert "Plus tard" in blog.get("/fr/feed.atom").text


def test_times_are_typed_in_the_desk_time_zone(desk, session):
    desk.send("/admin/posts/new", form_data(published_at="2025-07-01T10:00"))
    post = created(session, "les-crues-de-1910")
    assert post.published_at == datetime(2025, 7, 1, 8, 0, tzinfo=UTC)  # Paris is UTC+2


def test_post_list_filters_and_badges(desk, make_post, make_term):
    rivers = make_term("category", "rivers", en="Rivers")
    fr = make_post(language="fr", title="Crues", terms=(rivers,))
    make_post(language="en", title="Floods", translation_of=fr)
    make_post(language="fr", sites=("book",), title="Livre", status="draft")
    rows = lxml_html.fromstring(desk.get("/admin/").data).xpath("//tbody/tr")
    assert len(rows) == 3
    crues = next(r for r in rows if "Crues" in r.text_content())
    badges = [(b.text, b.get("class")) for b in crues.xpath('.//td[@class="badges"]/*')]
    assert [text for text, _ in badges] == ["FR", "EN", "IT"]
    assert "missing" in badges[2][1] and "this" in badges[0][1]

    def titles(query):
        tree = lxml_html.fromstring(desk.get("/admin/?" + query).data)
        return sorted(a.text for a in tree.xpath("//tbody/tr/td[2]/a[1]"))

    assert titles("site=book") == ["Livre"]
    assert titles("language=en") == ["Floods"]
    assert titles("status=draft") == ["Livre"]
    assert titles("status=published") == ["Crues", "Floods"]
    assert titles(f"category={rivers.id}") == ["Crues"]
    assert titles("q=flo") == ["Floods"]
    assert titles("q=%25") == []


def test_post_list_is_paginated(desk, make_post):
    for _ in range(30):
        make_post(commit=False)
    make_post()
    first = lxml_html.fromstring(desk.get("/admin/").data)
    assert len(first.xpath("//tbody/tr")) == 25
    assert len(lxml_html.fromstring(desk.get("/admin/?page=2").data).xpath("//tbody/tr")) == 6


def test_translate_opens_a_linked_translation_with_the_original_beside(desk, make_post, session):
    original = make_post(language="fr", slug="les-crues", title="Les crues", source="Texte")
    response = desk.send(f"/admin/posts/{original.id}/translate", {"language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/admin/posts/new?translation_of={original.id}&language=en"
    )
    editor = desk.get(response.headers["Location"])
    tree = lxml_html.fromstring(editor.data)
    reference = tree.xpath('//section[@class="reference"]')[0]
    assert reference.get("lang") == "fr" and "Les crues" in reference.text_content()
    assert tree.xpath('//input[@name="translation_of"]/@value') == [str(original.id)]
    assert tree.xpath('//select[@name="home_site"]/option[@selected]/@value') == ["blog"]
    # Nothing is stored until the translator saves.
    assert session.scalar(select(Post).where(Post.language == "en")) is None
    assert 'title="No translation in Italian"' in desk.get("/admin/").text


def test_translating_a_book_post_into_english_lands_on_the_blog(desk, make_post, session):
    original = make_post(language="fr", sites=("book",), slug="sortie")
    response = desk.send(f"/admin/posts/{original.id}/translate", {"language": "en"})
    tree = lxml_html.fromstring(desk.get(response.headers["Location"]).data)
    assert tree.xpath('//select[@name="home_site"]/option[@selected]/@value') == ["blog"]
    assert tree.xpath('//input[@name="sites"][@checked]') == []


def edit_form(desk, post_id):
    tree = lxml_html.fromstring(desk.get(f"/admin/posts/{post_id}").data)
    data = {}
    # What a browser sends: the form's fields, and those beside it that name it (form="editor").
    fields = "(self::input or self::textarea or self::select) and @name"
    for field in tree.xpath(f'//form[@id="editor"]//*[{fields}] | //*[@form="editor"][{fields}]'):
        name = field.get("name")
        if field.tag == "textarea":
            data[name] = field.text or ""
        elif field.tag == "select":
            chosen = field.xpath(".//option[@selected]/@value")
            data[name] = chosen[0] if chosen else field.xpath(".//option/@value")[0]
        elif field.get("type") == "checkbox":
            if field.get("checked") is not None:
                data.setdefault(name, []).append(field.get("value"))
        else:
            data[name] = field.get("value", "")
    data["action"] = "save"
    return data


def test_every_save_keeps_a_revision_that_can_be_compared_and_restored(desk, session):
    desk.send("/admin/posts/new", form_data(source="First line\nSecond line"))
    post = created(session, "les-crues-de-1910")
    data = edit_form(desk, post.id)
    desk.send(f"/admin/posts/{post.id}", {**data, "source": "First line\nSecond verse"})
    revisions = session.scalars(
        select(Revision).where(Revision.post_id == post.id).order_by(Revision.id)
    ).all()
    assert [r.source for r in revisions] == ["First line\nSecond line", "First line\nSecond verse"]
    page = desk.get(f"/admin/posts/{post.id}/revisions")
    assert page.text.count('name="a"') == 2
    compare = desk.get(f"/admin/posts/{post.id}/compare?a={revisions[0].id}&b={revisions[1].id}")
    assert "<del>line</del>" in compare.text and "<ins>verse</ins>" in compare.text
    restored = desk.send(f"/admin/posts/{post.id}/revisions/{revisions[0].id}/restore")
    assert restored.status_code == 302
    session.expire_all()
    assert session.get(Post, post.id).source == "First line\nSecond line"
    assert session.scalar(select(func.count(Revision.id)).where(Revision.post_id == post.id)) == 3


def test_a_stale_editor_does_not_overwrite_and_keeps_the_text(desk, session):
    desk.send("/admin/posts/new", form_data(source="Original text"))
    post = created(session, "les-crues-de-1910")
    first_tab = edit_form(desk, post.id)
    second_tab = edit_form(desk, post.id)
    desk.send(f"/admin/posts/{post.id}", {**second_tab, "source": "Saved in the other tab"})
    response = desk.send(f"/admin/posts/{post.id}", {**first_tab, "source": "My own text"})
    assert response.status_code == 409
    assert "saved elsewhere" in response.text
    tree = lxml_html.fromstring(response.data)
    assert tree.xpath('//textarea[@id="source"]/text()') == ["My own text"]
    assert "<del>Saved in the other tab</del>" in response.text or "<del>Saved" in response.text
    session.expire_all()
    assert session.get(Post, post.id).source == "Saved in the other tab"
    # Saving again from the conflict page is the author's explicit choice: it goes through.
    version = tree.xpath('//input[@name="version"]/@value')[0]
    again = desk.send(
        f"/admin/posts/{post.id}", {**first_tab, "source": "My own text", "version": version}
    )
    assert again.status_code == 302
    session.expire_all()
    assert session.get(Post, post.id).source == "My own text"


def test_a_save_after_signing_out_keeps_the_text(app, desk, session):
    desk.send("/admin/posts/new", form_data(source="Before"))
    post = created(session, "les-crues-de-1910")
    data = edit_form(desk, post.id)
    other_tab = desk.get("/admin/")
    desk.send("/admin/logout")
    response = desk.post(
        f"/admin/posts/{post.id}",
        data={**data, "source": "Unsaved words"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert "Your session has ended" in response.text
    assert "Unsaved words" in response.text
    assert other_tab.status_code == 200


def test_the_trash_is_listed_a_page_at_a_time(desk, make_post, clock):
    """Thousands of posts can be moved to the trash at once: it lists 50 a page, the last moved
    first, and says how many it holds."""
    moved = clock() - timedelta(days=1)
    for n in range(61):
        make_post(slug=f"old-{n}", title=f"Old note {n}", deleted_at=moved + timedelta(minutes=n))
    first = lxml_html.fromstring(desk.get("/admin/trash").text)
    titles = first.xpath("//tbody/tr/td[1]/text()")
    assert len(titles) == 50 and titles[0] == "Old note 60" and titles[-1] == "Old note 11"
    assert "61 posts are in the trash." in first.text_content()
    assert first.xpath('//nav[@class="pager"]//a[@rel="next"]/@href') == ["?page=2"]
    assert first.xpath('//nav[@class="pager"]//a[@rel="next"]/text()') == ["Next page"]
    second = lxml_html.fromstring(desk.get("/admin/trash?page=2").text)
    assert second.xpath("//tbody/tr/td[1]/text()") == [f"Old note {n}" for n in range(10, -1, -1)]
    assert second.xpath('//nav[@class="pager"]//a[@rel="prev"]/@href') == ["?page=1"]
    assert desk.get("/admin/trash?page=3").status_code == 404
    # Emptying it deletes every page of it, not the page shown.
    desk.send("/admin/trash/empty")
    assert "The trash is empty." in desk.get("/admin/trash").text


def test_trash_hides_restores_and_empties(desk, blog, make_post, session):
    post = make_post(language="fr", slug="a-jeter", title="À jeter")
    session.add(Revision.of(post))
    session.commit()
    path = "/fr/" + post.published_at.strftime("%Y/%m") + "/a-jeter/"
    assert blog.get(path).status_code == 200
    desk.send(f"/admin/posts/{post.id}/trash")
    assert blog.get(path).status_code == 404
    assert "À jeter" not in desk.get("/admin/").text
    assert "À jeter" in desk.get("/admin/trash").text
    desk.send(f"/admin/trash/{post.id}/restore")
    assert blog.get(path).status_code == 200
    desk.send(f"/admin/posts/{post.id}/trash")
    post_id = post.id
    desk.send("/admin/trash/empty")
    session.expire_all()
    assert session.get(Post, post_id) is None
    assert session.scalar(select(func.count(Revision.id))) == 0


def test_pages_are_ordered_into_the_menu(desk, book, make_post):
    first = make_post(kind="page", sites=("book",), slug="contact", title="Contact")
    second = make_post(kind="page", sites=("book",), slug="presse", title="Presse")
    response = desk.send("/admin/menu/book", {f"order-{first.id}": "2", f"order-{second.id}": "1"})
    assert response.status_code == 302
    menu = lxml_html.fromstring(book.get("/").data).xpath('//nav[@class="site-nav"]//a/text()')
    # The pages in the desk's order, after the home; the book's sections follow them.
    assert menu[:3] == ["Accueil", "Presse", "Contact"]
    bad = desk.send("/admin/menu/book", {f"order-{first.id}": "first"})
    assert bad.status_code == 422 and 'value="first"' in bad.text


def test_a_new_page_from_the_desk(desk, book, session):
    desk.send(
        "/admin/posts/new",
        form_data(kind="page", title="Dossier de presse", home_site="book", menu_order="3"),
    )
    page = created(session, "dossier-de-presse")
    assert page.kind == "page" and page.menu_order == 3
    assert "Dossier de presse" in book.get("/dossier-de-presse/").text


@pytest.mark.parametrize("path", ["/admin/posts/999", "/admin/posts/999/revisions"])
def test_unknown_posts_are_404(desk, path):
    assert desk.get(path).status_code == 404


def test_edit_page_shows_translations_and_status(desk, make_post):
    fr = make_post(language="fr", title="Crues")
    make_post(language="it", title="Piene", translation_of=fr, status="draft")
    text = desk.get(f"/admin/posts/{fr.id}").text
    assert re.search(r"Italian</a> — Draft", text)
    assert "Translate into English" in text


def test_a_refused_render_is_explained_in_the_desk_language(desk, author, session, monkeypatch):
    # The depth limit refuses this source by counting; no time budget can run out first.
    monkeypatch.setattr(rendering, "RENDER_SECONDS", 1e6)
    session.execute(update(type(author)).where(type(author).id == author.id).values(language="fr"))
    session.commit()
    response = desk.send("/admin/posts/new", form_data(source="> " * 10_000))
    assert response.status_code == 422
    assert "Le texte imbrique trop profondément des citations ou des listes" in response.text
    assert lxml_html.fromstring(response.text).get("lang") == "fr"
