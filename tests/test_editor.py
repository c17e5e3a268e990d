"""The editor of issue 16: confirmed publishing actions, full-page previews, draft links,
autosaves, counters and the desk's identity (the browser side is in test_editor_browser.py)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from blog.models import DraftLink, Kind, Post, PublicationKind, Revision, Status, StoreState

from .helpers import SiteClient
from .test_admin_posts import created, edit_form, form_data

BOOK = "http://book.localhost"


@pytest.fixture
def announce(session):
    def make(original, site="book", language="fr", status=Status.PUBLISHED):
        announcement = Post(
            kind=Kind.ANNOUNCEMENT,
            announces=original,
            language=language,
            title="Annonce",
            slug=f"annonce-{original.id}",
            status=status,
        )
        announcement.set_source("Court texte.")
        announcement.publish_on(site, PublicationKind.HOME)
        session.add(announcement)
        session.commit()
        return announcement

    return make


def stranger(app, base_url="http://blog.localhost"):
    """A browser that never signed in."""
    return SiteClient(app, app.response_class, use_cookies=True, base_url=base_url)


def confirm_panel(response) -> str:
    found = re.search(r'<section class="confirm".*?</section>', response.text, re.S)
    return found.group(0) if found else ""


def store_version(session) -> int:
    session.expire_all()
    return session.scalar(select(StoreState.version)) or 0


# --- Publish, Schedule, Update, Unpublish -------------------------------------------------


def test_publish_says_where_the_post_will_appear_before_publishing(desk, blog, session):
    response = desk.send("/admin/posts/new", form_data(action="publish", status="", sites=["book"]))
    assert response.status_code == 200
    panel = confirm_panel(response)
    assert "Publish “Les crues de 1910”?" in panel
    assert re.search(r"http://blog\.localhost:5000/fr/\d{4}/\d\d/les-crues-de-1910/", panel)
    assert re.search(r"http://book\.localhost:5000/\d{4}/\d\d/les-crues-de-1910/", panel)
    assert "No announcement leads to it." in panel
    assert 'name="confirmed" value="publish"' in panel
    assert session.scalar(select(func.count(Post.id))) == 0  # nothing kept yet
    tree = lxml_html.fromstring(response.data)
    assert tree.xpath('//textarea[@id="source"]/text()') == ["Un texte **important**."]

    response = desk.send(
        "/admin/posts/new", form_data(action="publish", status="", confirmed="publish")
    )
    assert response.status_code == 302
    post = created(session, "les-crues-de-1910")
    assert post.status == Status.PUBLISHED and post.is_visible()
    assert blog.get(f"/fr/{post.published_at:%Y/%m}/les-crues-de-1910/").status_code == 200


def test_a_future_time_schedules_after_saying_when(desk, session):
    future = (datetime.now(UTC) + timedelta(days=30)).astimezone().strftime("%Y-%m-%dT%H:%M")
    data = form_data(action="publish", status="", published_at=future)
    response = desk.send("/admin/posts/new", data)
    panel = confirm_panel(response)
    assert "Schedule “Les crues de 1910”?" in panel
    assert "It will appear" in panel and "Yes, schedule" in panel
    desk.send("/admin/posts/new", {**data, "confirmed": "publish"})
    post = created(session, "les-crues-de-1910")
    assert post.is_scheduled and not post.is_visible()
    editor = desk.get(f"/admin/posts/{post.id}").text
    assert "Scheduled for" in editor and "Unschedule" in editor


def test_update_and_unpublish_are_confirmed_and_name_the_announcements(
    desk, blog, book, session, make_post, announce
):
    post = make_post(title="Les crues", slug="les-crues")
    announcement = announce(post)
    address = f"/fr/{post.published_at:%Y/%m}/les-crues/"
    form = edit_form(desk, post.id)

    response = desk.send(f"/admin/posts/{post.id}", {**form, "action": "update", "title": "Neuf"})
    panel = confirm_panel(response)
    assert "Update “Neuf”?" in panel and "its announcement in French" in panel
    assert f"http://book.localhost:5000/{announcement.published_at:%Y/%m}/annonce-" in panel
    session.expire_all()
    assert session.get(Post, post.id).title == "Les crues"
    confirmed = {**form, "action": "update", "title": "Neuf", "confirmed": "update"}
    assert desk.send(f"/admin/posts/{post.id}", confirmed).status_code == 302
    session.expire_all()
    assert session.get(Post, post.id).title == "Neuf"

    form = edit_form(desk, post.id)
    panel = confirm_panel(desk.send(f"/admin/posts/{post.id}", {**form, "action": "unpublish"}))
    assert "Unpublish “Neuf”?" in panel and "Readers will no longer find it at:" in panel
    assert "(410)" in panel  # its announcement will answer "gone"
    assert blog.get(address).status_code == 200
    # "Save draft" on a published post is an unpublish too: confirmed first.
    assert confirm_panel(desk.send(f"/admin/posts/{post.id}", {**form, "action": "draft"}))
    assert blog.get(address).status_code == 200
    confirmed = {**form, "action": "unpublish", "confirmed": "unpublish"}
    assert desk.send(f"/admin/posts/{post.id}", confirmed).status_code == 302
    session.expire_all()
    assert session.get(Post, post.id).status == Status.DRAFT
    assert blog.get(address).status_code == 404


def test_save_draft_keeps_a_draft_out_of_sight(desk, session):
    response = desk.send("/admin/posts/new", form_data(action="draft", status="published"))
    assert response.status_code == 302
    post = created(session, "les-crues-de-1910")
    assert post.status == Status.DRAFT
    editor = desk.get(f"/admin/posts/{post.id}").text
    assert "Draft: readers do not see it." in editor
    assert ">Publish<" in editor and ">Save draft<" in editor


def test_a_refused_publication_comes_back_as_a_form_error(desk, session):
    data = form_data(action="publish", status="", language="en", home_site="book", source="Kept")
    response = desk.send("/admin/posts/new", data)
    assert response.status_code == 422
    assert "publishes only in French" in response.text and "Kept" in response.text
    assert not confirm_panel(response)


# --- full-page previews ---------------------------------------------------------------------


def test_a_full_page_preview_shows_the_unsaved_text_in_the_sites_theme(desk, session, make_post):
    post = make_post(title="Les crues", slug="les-crues", sites=("blog", "book"))
    before = store_version(session)
    form = {**edit_form(desk, post.id), "source": "Un texte *pas encore enregistré*."}
    for site, theme in (("blog", "themes/blog."), ("book", "themes/book.")):
        response = desk.send(f"/admin/posts/{post.id}", {**form, "action": f"page:{site}:fr"})
        assert response.status_code == 200
        assert theme in response.text
        assert "<em>pas encore enregistré</em>" in response.text
        assert '<meta name="robots" content="noindex, nofollow">' in response.text
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert response.headers["Cache-Control"] == "no-store"
        assert "voici la page telle qu’elle paraîtra" in response.text  # in the page’s language
    session.expire_all()
    assert session.get(Post, post.id).source == "Some *text*."  # nothing kept
    assert store_version(session) == before


def test_the_editor_offers_a_preview_for_each_site_and_fallback_language(desk, make_post):
    post = make_post(language="en", title="Floods", slug="floods")
    editor = desk.get(f"/admin/posts/{post.id}").text
    assert 'value="page:blog:en"' in editor
    assert 'value="page:blog:fr"' in editor and 'value="page:blog:it"' in editor  # fallback
    form = edit_form(desk, post.id)
    response = desk.send(f"/admin/posts/{post.id}", {**form, "action": "page:blog:fr"})
    assert response.status_code == 200
    assert "Cet article n’existe qu’en anglais" in response.text or "existe qu" in response.text
    assert '<html lang="fr">' in response.text


def test_a_preview_of_a_new_post_keeps_nothing(desk, session):
    response = desk.send("/admin/posts/new", form_data(action="page:blog:fr", status=""))
    assert response.status_code == 200 and "Les crues de 1910" in response.text
    assert session.scalar(select(func.count(Post.id))) == 0


@pytest.mark.parametrize("action", ["page:nowhere:fr", "page:book:en", "page:blog"])
def test_a_preview_of_no_such_page_is_a_404(desk, action):
    assert desk.send("/admin/posts/new", form_data(action=action)).status_code == 404


# --- draft links ----------------------------------------------------------------------------


def draft_links(desk, post_id) -> list[str]:
    tree = lxml_html.fromstring(desk.get(f"/admin/posts/{post_id}").data)
    return tree.xpath('//input[contains(@class, "draft-link")]/@value')


def test_a_draft_link_shows_the_draft_signed_out_until_revoked(app, desk, session, make_post):
    post = make_post(title="Brouillon", slug="brouillon", status=Status.DRAFT)
    post.published_at = None  # a draft never published has no date
    session.commit()
    assert desk.send(f"/admin/posts/{post.id}/links", {"days": "7"}).status_code == 302
    [url] = draft_links(desk, post.id)
    assert url.startswith("http://blog.localhost:5000/admin/shared/")
    path = url.removeprefix("http://blog.localhost:5000")
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40

    reader = stranger(app)
    response = reader.get(path)
    assert response.status_code == 200
    assert "Brouillon" in response.text and "pas encore publié" in response.text  # its language
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    session.expire_all()
    assert session.get(Post, post.id).published_at is None  # the date shown is not kept
    assert reader.get(path.replace(token, token[:-1] + "x")).status_code == 404

    link = session.scalar(select(DraftLink).where(DraftLink.token == token))
    revoke = f"/admin/posts/{post.id}/links/{link.id}/revoke"
    assert desk.send(revoke).status_code == 302
    assert reader.get(path).status_code == 404
    assert draft_links(desk, post.id) == []
    assert desk.send(revoke).status_code == 404  # once


def test_a_draft_link_expires_and_ends_with_the_trash(app, desk, session, make_post, clock):
    post = make_post(title="Brouillon", slug="brouillon", status=Status.DRAFT, published_at=None)
    desk.send(f"/admin/posts/{post.id}/links", {"days": "1"})
    desk.send(f"/admin/posts/{post.id}/links", {"days": "30"})
    short, long = (
        u.removeprefix("http://blog.localhost:5000") for u in draft_links(desk, post.id)[::-1]
    )
    reader = stranger(app)
    assert reader.get(short).status_code == 200
    clock.advance(days=2)
    assert reader.get(short).status_code == 404
    assert reader.get(long).status_code == 200
    desk.send(f"/admin/posts/{post.id}/trash")
    assert reader.get(long).status_code == 404


def test_a_draft_link_lives_on_the_posts_home_site(app, desk, make_post):
    post = make_post(sites=("book",), status=Status.DRAFT, published_at=None)
    desk.send(f"/admin/posts/{post.id}/links", {"days": "7"})
    [url] = draft_links(desk, post.id)
    assert url.startswith("http://book.localhost:5000/admin/shared/")
    response = stranger(app, BOOK).get(url.removeprefix("http://book.localhost:5000"))
    assert response.status_code == 200 and "themes/book." in response.text


def test_only_a_signed_in_author_makes_or_revokes_links(app, make_post):
    post = make_post(status=Status.DRAFT, published_at=None)
    response = stranger(app).post(f"/admin/posts/{post.id}/links", data={"days": "7"})
    assert response.status_code in (302, 400)
    assert "/admin/shared/" not in response.text


# --- autosave -------------------------------------------------------------------------------


def autosave(desk, post_id, **values):
    return desk.post(
        f"/admin/posts/{post_id}/autosave", data=values, headers={"X-CSRF-Token": desk.token}
    )


def test_an_autosave_keeps_the_text_apart_from_the_post(desk, blog, session, make_post):
    post = make_post(title="Les crues", slug="les-crues")
    address = f"/fr/{post.published_at:%Y/%m}/les-crues/"
    before = store_version(session)
    response = autosave(desk, post.id, title="Les crues", source="Un texte **autosauvé**.")
    assert response.status_code == 200 and response.json["saved"] is True
    assert response.json["message"].startswith("Autosaved at")
    autosave(desk, post.id, title="Les crues", source="Un texte **autosauvé** deux fois.")
    session.expire_all()
    assert session.get(Post, post.id).source == "Some *text*."
    assert "autosauvé" not in blog.get(address).text
    assert store_version(session) == before  # no public page changed
    kept = session.scalars(select(Revision).where(Revision.autosave)).all()
    assert [r.source for r in kept] == ["Un texte **autosauvé** deux fois."]  # one, rewritten

    assert "autosauvé" not in desk.get(f"/admin/posts/{post.id}/revisions").text  # not a save
    editor = desk.get(f"/admin/posts/{post.id}")
    assert "Restore the autosaved text" in editor.text
    restored = desk.get(f"/admin/posts/{post.id}?restore=autosave")
    tree = lxml_html.fromstring(restored.data)
    assert tree.xpath('//textarea[@id="source"]/text()') == ["Un texte **autosauvé** deux fois."]
    assert "is in the form below" in restored.text

    # Saving the restored text makes it the post's, and the offer goes.
    form = edit_form(desk, post.id)
    desk.send(f"/admin/posts/{post.id}", {**form, "source": "Un texte **autosauvé** deux fois."})
    session.expire_all()
    assert session.get(Post, post.id).source == "Un texte **autosauvé** deux fois."
    assert "Restore the autosaved text" not in desk.get(f"/admin/posts/{post.id}").text


def test_an_autosave_can_be_discarded(desk, session, make_post):
    post = make_post()
    autosave(desk, post.id, title="T", source="Lost on purpose")
    assert desk.send(f"/admin/posts/{post.id}/autosave/discard").status_code == 302
    assert "Restore the autosaved text" not in desk.get(f"/admin/posts/{post.id}").text
    session.expire_all()
    assert session.scalar(select(func.count(Revision.id)).where(Revision.autosave)) == 0


def test_an_autosave_refuses_what_no_column_holds(desk, make_post):
    post = make_post()
    response = autosave(desk, post.id, title="x" * 301, source="Text")
    assert response.status_code == 422 and response.json["saved"] is False
    assert "Title" in response.json["message"]


def test_an_autosave_needs_a_signed_in_author_and_the_token(app, desk, make_post):
    post = make_post()
    response = stranger(app).post(f"/admin/posts/{post.id}/autosave", data={"source": "x"})
    assert response.status_code in (302, 400)  # to the sign-in, or refused without a token
    response = desk.post(f"/admin/posts/{post.id}/autosave", data={"source": "x"})
    assert response.status_code == 400  # no CSRF token


def test_the_author_sees_only_their_own_autosave(app, desk, session, make_post):
    from blog.accounts import create_user

    from .helpers import DeskClient, login

    post = make_post()
    autosave(desk, post.id, title="T", source="Mine")
    with app.app_context():
        create_user(session, "other@example.org", "another-password-1", language="en")
    other = DeskClient(app, app.response_class, use_cookies=True, base_url="http://blog.localhost")
    login(other, "other@example.org", "another-password-1")
    assert "Restore the autosaved text" not in other.get(f"/admin/posts/{post.id}").text


# --- the look -------------------------------------------------------------------------------


def test_the_editor_counts_words_and_characters(desk, make_post):
    post = make_post(source=" ".join(["mot"] * 460), summary="Un résumé court.")
    tree = lxml_html.fromstring(desk.get(f"/admin/posts/{post.id}").data)
    assert tree.xpath('string(//*[@id="source-count"])') == "Words: 460 · reading time: 2 min"
    assert tree.xpath('string(//*[@id="summary-count"])').startswith("Characters: 16 ")
    assert tree.xpath('//details[@class="cheatsheet"]/summary/text()') == ["Markdown cheat-sheet"]
    # The text on the left, the options in the side column (they belong to the same form).
    assert tree.xpath('//aside[@class="side"]//select[@id="language"]/@form') == ["editor"]
    assert tree.xpath('//div[@class="writing"]//textarea[@id="source"]')


def test_the_sign_in_page_says_whose_desk_it_is(app):
    page = stranger(app).get("/admin/login", headers={"Accept-Language": "en"}).text
    assert "Author's desk" in page
    assert "La Mémoire des rivières" in page and "Claire Vautrin" in page


def test_the_post_list_explains_its_badges(desk, make_post):
    make_post()
    page = desk.get("/admin/").text
    assert "Translation badges" in page and "a draft (dashed)" in page
