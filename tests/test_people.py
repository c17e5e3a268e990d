"""Settings and people in the desk (issue 16, point 6): roles, invitations, one-time links,
two-factor sign-in, the sites' texts."""

import re

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from blog import totp
from blog.accounts import create_user
from blog.models import Post, Role, User
from tests.helpers import BLOG, PASSWORD, DeskClient, login


@pytest.fixture
def person(app, session):
    """Return a function that makes an account with a role and a client signed in as it."""

    def make(role: str, email: str | None = None):
        email = email or f"{role}@example.org"
        with app.app_context():
            user = create_user(session, email, PASSWORD, name=role, language="en")
        user.role = role
        session.commit()
        client = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
        assert login(client, email, PASSWORD).status_code == 302
        client.refresh_token()
        return client

    return make


def editor_values(client, path):
    tree = lxml_html.fromstring(client.get(path).data)
    # What a browser sends: the form's fields, and those beside it that name it (form="editor").
    named = "(self::input or self::textarea or self::select) and @name"
    values = {}
    for field in tree.xpath(f'//form[@id="editor"]//*[{named}] | //*[@form="editor"][{named}]'):
        if field.tag == "select":
            values[field.get("name")] = (field.xpath("option[@selected]/@value") or [""])[0]
        elif field.get("type") != "checkbox":
            values[field.get("name")] = (
                field.text or "" if field.tag == "textarea" else field.get("value", "")
            )
    return values


def test_a_translator_is_refused_on_an_original_and_keeps_the_text(person, make_post, session):
    translator = person(Role.TRANSLATOR)
    original = make_post(language="en", slug="flood-marks", title="Flood marks")
    values = editor_values(translator, f"/admin/posts/{original.id}")
    values.update(title="Changed by the translator", action="save")
    refused = translator.send(f"/admin/posts/{original.id}", values)
    assert refused.status_code == 403
    assert "translations only" in refused.text and "Changed by the translator" in refused.text
    session.expire_all()
    assert session.get(Post, original.id).title == "Flood marks"
    assert translator.get("/admin/posts/new").status_code == 403
    assert translator.get("/admin/terms/").status_code == 403
    assert translator.get("/admin/menu/blog/fr").status_code == 403
    assert translator.get("/admin/people").status_code == 403
    # A translation is theirs to write.
    start = translator.send(f"/admin/posts/{original.id}/translate", {"language": "fr"})
    values = editor_values(translator, start.headers["Location"])
    values.update(title="Repères de crue", action="save")
    assert translator.send("/admin/posts/new", values).status_code == 302
    french = session.scalar(select(Post).where(Post.language == "fr"))
    values = editor_values(translator, f"/admin/posts/{french.id}")
    values.update(title="Les repères de crue", action="save")
    assert translator.send(f"/admin/posts/{french.id}", values).status_code == 302


def test_roles_open_their_areas(person):
    editor, author = person(Role.EDITOR), person(Role.AUTHOR)
    assert editor.get("/admin/terms/").status_code == 200
    assert editor.get("/admin/people").status_code == 403
    assert editor.get("/admin/settings/blog").status_code == 403
    assert author.get("/admin/terms/").status_code == 403
    assert author.get("/admin/posts/new").status_code == 200


def test_an_invitation_link_sets_the_password_once(desk, app, session):
    page = desk.send("/admin/people/invite", {"email": "Tom@Example.org", "name": "Tom",
                                              "role": "translator", "language": "fr"})  # fmt: skip
    assert page.status_code == 200
    link = lxml_html.fromstring(page.data).xpath('//input[@class="link-to-copy"]/@value')[0]
    path = link.removeprefix("http://blog.localhost")
    user = session.scalar(select(User).where(User.email == "tom@example.org"))
    assert user.role == "translator"
    stranger = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    assert login(stranger, "tom@example.org", PASSWORD).status_code == 401  # no password yet
    form = stranger.get(path)
    assert form.status_code == 200
    stranger.token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    assert stranger.send(path, {"password": "short"}).status_code == 422
    assert stranger.send(path, {"password": PASSWORD}).status_code == 302
    assert stranger.get(path).status_code == 410  # used once
    assert login(stranger, "tom@example.org", PASSWORD).status_code == 302


def test_the_last_administrator_stays_one(desk, author):
    refused = desk.send(f"/admin/people/{author.id}/role", {"role": "editor"})
    assert refused.status_code == 422 and "at least one administrator" in refused.text


def test_reset_password_prints_a_one_time_link(cli, app, author):
    result = cli("reset-password", author.email)
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("http://book.localhost:5000/admin/password/")
    client = DeskClient(app, app.response_class, use_cookies=True, base_url="http://book.localhost")
    path = url.removeprefix("http://book.localhost:5000")
    form = client.get(path)
    client.token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    assert client.send(path, {"password": "another long password"}).status_code == 302
    assert login(client, author.email, "another long password").status_code == 302
    assert cli("reset-password", "nobody@example.org", ok=False).exit_code != 0


def test_two_factor_sign_in_with_a_code_then_a_recovery_code(desk, app, author, clock):
    page = desk.get("/admin/profile/two-factor")
    secret = lxml_html.fromstring(page.data).xpath('//code[@class="totp-secret"]/text()')[0]
    wrong = desk.send("/admin/profile/two-factor", {"code": "000000"})
    assert wrong.status_code == 422
    secret = lxml_html.fromstring(wrong.data).xpath('//code[@class="totp-secret"]/text()')[0]
    code = totp.totp(totp.key_of(secret), clock())
    done = desk.send("/admin/profile/two-factor", {"code": code})
    codes = lxml_html.fromstring(done.data).xpath('//ul[@class="recovery-codes"]/li/code/text()')
    assert len(codes) == 10

    browser = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    response = login(browser, author.email, PASSWORD)
    assert response.headers["Location"] == "/admin/login/code"
    assert browser.get("/admin/").status_code == 302  # not signed in yet
    browser.refresh_token("/admin/login/code")
    assert browser.send("/admin/login/code", {"code": code}).status_code == 401  # used already
    clock.advance(seconds=30)
    fresh = totp.totp(totp.key_of(secret), clock())
    assert browser.send("/admin/login/code", {"code": fresh}).status_code == 302
    assert browser.get("/admin/").status_code == 200

    other = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    login(other, author.email, PASSWORD)
    other.refresh_token("/admin/login/code")
    assert other.send("/admin/login/code", {"code": codes[0]}).status_code == 302
    again = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    login(again, author.email, PASSWORD)
    again.refresh_token("/admin/login/code")
    assert again.send("/admin/login/code", {"code": codes[0]}).status_code == 401


def test_site_texts_edited_in_the_desk_override_the_sites_file(desk, blog):
    page = desk.get("/admin/settings/blog")
    assert page.status_code == 200
    fields = lxml_html.fromstring(page.data).xpath("//main//input[@name]|//main//textarea[@name]")
    values = {i.get("name"): i.get("value") or i.text or "" for i in fields}
    values.update({"title-en": "Rivers notebook", "description-en": "Notes on urban rivers."})
    assert desk.send("/admin/settings/blog", values).status_code == 302
    home = lxml_html.fromstring(blog.get("/en/").data)
    assert "Rivers notebook" in home.xpath("//title/text()")[0]
    assert home.xpath('//meta[@name="description"]/@content') == ["Notes on urban rivers."]
    values["title-en"] = ""
    desk.send("/admin/settings/blog", values)
    assert (
        "Research notebook"
        in lxml_html.fromstring(blog.get("/en/").data).xpath("//title/text()")[0]
    )
    values["title-fr"] = ""
    refused = desk.send("/admin/settings/blog", values)
    assert refused.status_code == 422 and "default language" in refused.text
