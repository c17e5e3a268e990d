"""Signing in safely: no account oracle, revocable sessions, CSRF everywhere, no open redirect."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from blog import accounts, clock, db, mediastore, people, sharing
from blog.comments.models import Comment
from blog.models import LoginSession, Revision, StoreState, Term, User
from blog.readerforms.models import ContactMessage, SignupForm
from blog.schema import upgrade
from blog.sections.models import Talk

from .helpers import BLOG, PASSWORD, DeskClient, csrf_from, image_bytes, make_app


def login(client, email, password, next_url=None):
    token = csrf_from(client.get("/admin/login"))
    return client.post(
        "/admin/login",
        query_string={"next": next_url} if next_url is not None else None,
        data={"email": email, "password": password, "csrf_token": token},
        headers={"Accept-Language": "en"},
    )


# --- an unknown account and a wrong password look the same -----------------------------------


def test_unknown_account_and_wrong_password_cost_one_hash_check_each(
    app, session, author, monkeypatch
):
    checked = []
    real = accounts.check_password_hash

    def counting(stored, password):
        checked.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    with app.app_context():  # as in a request: the app's hash method
        assert accounts.authenticate(session, "nobody@example.org", "a guess") is None
        assert accounts.authenticate(session, author.email, "a guess") is None
    # The same work, at the same cost parameters, whether or not the account exists.
    assert len(checked) == 2 and checked[0] == checked[1]
    assert checked[0].startswith("scrypt:")


def test_unknown_account_and_wrong_password_get_the_same_answer(blog, author):
    unknown = login(blog, "nobody@example.org", "a guess")
    wrong = login(blog, author.email, "a guess")
    assert unknown.status_code == wrong.status_code == 401
    strip = re.compile(r'value="[^"]*"')  # the typed email and the CSRF token differ
    assert strip.sub("", unknown.text) == strip.sub("", wrong.text)


# --- sessions end when they should ---------------------------------------------------------


def signed_in(app, author) -> DeskClient:
    client = DeskClient(app, app.response_class, use_cookies=True, base_url=BLOG)
    assert login(client, author.email, PASSWORD).status_code == 302
    client.refresh_token()
    return client


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, author, session):
    here, elsewhere = signed_in(app, author), signed_in(app, author)
    with app.app_context():
        other = accounts.create_user(session, "other@example.org", PASSWORD)
    others_browser = signed_in(app, other)
    response = here.send(
        "/admin/profile",
        {"name": "C", "language": "en", "password": PASSWORD, "new_password": "a new password!"},
    )
    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302  # sent to the login page
    assert others_browser.get("/admin/").status_code == 200  # another author is not touched
    assert session.scalar(select(func.count()).where(LoginSession.user_id == author.id)) == 1


def test_a_refused_password_change_ends_nothing(app, author):
    here, elsewhere = signed_in(app, author), signed_in(app, author)
    response = here.send(
        "/admin/profile",
        {"name": "C", "language": "en", "password": "wrong", "new_password": "a new password!"},
    )
    assert response.status_code == 422
    assert elsewhere.get("/admin/").status_code == 200


def test_changing_only_the_name_ends_nothing(app, author):
    here, elsewhere = signed_in(app, author), signed_in(app, author)
    here.send("/admin/profile", {"name": "Claire V.", "language": "en"})
    assert elsewhere.get("/admin/").status_code == 200


# --- next= never leaves the desk -----------------------------------------------------------

OPEN_REDIRECTS = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "http:/\\/evil.example/",
    "http://evil.example/admin/",
    "https://evil.example/admin/",
    "https:evil.example",
    "//blog.localhost@evil.example/",
    "http://blog.localhost@evil.example/admin/",
    "/%09/evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/admin/\t/evil.example",
    "/admin//evil.example/",
    "/admin/\\..\\..\\evil.example",
    "/admin/\r\nLocation: https://evil.example/",
    "/admin/\r\nSet-Cookie: session=x",
    "/admin/\x00",
    "/admin/\u2028//evil.example",
    " //evil.example/",
    "\t//evil.example/",
    "%2F%2Fevil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/ /evil.example/",
    "evil.example",
    "@evil.example",
    "/admin",
    "",
]


def lands_on(location: str) -> tuple[str, str]:
    """Return (host, path) where a browser goes for this Location, read as browsers read it."""
    assert "\r" not in location and "\n" not in location
    location = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    target = urlsplit(urljoin(BLOG + "/admin/login", location.strip()))
    return target.netloc, target.path


@pytest.mark.parametrize("next_url", OPEN_REDIRECTS)
def test_next_after_login_never_leaves_the_desk(blog, author, next_url):
    response = login(blog, author.email, PASSWORD, next_url)
    assert response.status_code == 302
    host, path = lands_on(response.headers["Location"])
    assert host == "blog.localhost" and path.startswith("/admin/")


@pytest.mark.parametrize("next_url", OPEN_REDIRECTS)
def test_next_when_already_signed_in_never_leaves_the_desk(desk, next_url):
    response = desk.get("/admin/login", query_string={"next": next_url})
    assert response.status_code == 302
    host, path = lands_on(response.headers["Location"])
    assert host == "blog.localhost" and path.startswith("/admin/")


@pytest.mark.parametrize("next_url", ["/admin/posts/new?kind=page", "/admin/trash"])
def test_next_inside_the_desk_is_followed(blog, author, next_url):
    assert login(blog, author.email, PASSWORD, next_url).headers["Location"] == next_url


# --- no default account ----------------------------------------------------------------------


def test_a_new_database_has_no_account_at_all(tmp_path):
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"})
    with app.app_context():
        upgrade()
        assert db.session().scalar(select(func.count(User.id))) == 0
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session().scalar(select(func.count(User.id))) == 0
    client = app.test_client()
    for email, password in [("admin", "admin"), ("admin@example.org", "admin"), ("", "")]:
        token = csrf_from(client.get("/admin/login", base_url=BLOG))
        response = client.post(
            "/admin/login",
            base_url=BLOG,
            data={"email": email, "password": password, "csrf_token": token},
        )
        assert response.status_code == 401
    app.extensions["db"]["engine"].dispose()


# --- CSRF on every state-changing request, and GETs change nothing -------------------------


def store_version(session) -> int:
    session.expire_all()
    return session.scalar(select(StoreState.version)) or 0


@pytest.fixture
def filled(app, desk, make_post, session, author):
    """One post with a revision, one term: ids for every desk address."""
    post = make_post(language="en", slug="a-post")
    session.add(Revision.of(post, author))
    term = Term(kind="tag", slug="a-tag")
    term.set_name("en", "A tag")
    session.add(term)
    link = sharing.create(session, post, author, datetime.now(UTC), days=7)
    talk = Talk(title="A talk", starts_at=datetime(2030, 1, 1, tzinfo=UTC))
    comment = Comment(post_id=post.id, name="Ana", source="Merci.", html="<p>Merci.</p>",
                      language="en")  # fmt: skip
    signup = SignupForm(slug="a-form", site="book", title="A form", capacity=2)
    message = ContactMessage(site="book", language="fr", name="Ana", email="a@example.org",
                             message="Bonjour")  # fmt: skip
    session.add_all([talk, comment, signup, message])
    session.commit()
    revision_id = session.scalar(select(Revision.id).where(Revision.post_id == post.id))
    announced = app.test_cli_runner().invoke(
        args=["announce", str(post.id), "--on", "book", "--language", "fr", "--title", "Annonce"]
    )
    announcement_id = int(re.search(r"as post (\d+)", announced.output).group(1))
    with app.test_request_context("/admin/"):
        media = mediastore.save_upload(session, image_bytes(), "a.png", datetime.now(UTC))
        session.commit()
    with app.app_context():
        token = people.new_link_token(session, author, people.RESET, clock.now())
    session.commit()
    return {
        "link_token": token,
        "user_id": author.id,
        "media_id": media.id,
        "post_id": post.id,
        "announcement_id": announcement_id,
        "revision_id": revision_id,
        "term_id": term.id,
        "site_key": "blog",
        "language": "fr",
        "link_id": link.id,
        "token": link.token,
        "key": "talks",
        "row_id": talk.id,
        "comment_id": comment.id,
        "form_id": signup.id,
        "message_id": message.id,
    }


def desk_rules(app, method: str) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if method in rule.methods and rule.endpoint.startswith("admin.")
    )


def address(rule: str, values: dict) -> str:
    if rule.startswith("/admin/announcements/"):
        values = {**values, "post_id": values["announcement_id"]}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)


def test_every_desk_post_refuses_a_request_without_the_token(app, desk, filled, session):
    before = store_version(session)
    sessions_before = session.scalar(select(func.count()).select_from(LoginSession))
    rules = desk_rules(app, "POST")
    assert len(rules) >= 15
    for rule in rules:
        response = desk.post(
            address(rule, filled),
            data={"title": "Changed", "source": "x", "name": "x", "new_password": "p" * 20},
        )
        assert response.status_code in (400, 409), rule
    assert store_version(session) == before
    assert session.scalar(select(func.count()).select_from(LoginSession)) == sessions_before


def test_no_desk_page_changes_anything_on_get(app, desk, filled, session):
    before = store_version(session)
    revision = filled["revision_id"]
    for rule in desk_rules(app, "GET"):
        response = desk.get(address(rule, filled), query_string={"a": revision, "b": revision})
        assert response.status_code in (200, 302), rule
    assert store_version(session) == before
    assert desk.get("/admin/").status_code == 200  # GET /admin/logout does not exist either
    assert desk.get("/admin/logout").status_code == 405
