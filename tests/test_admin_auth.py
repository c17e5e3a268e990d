"""Signing in and out of the desk, CSRF, throttling, and the author's profile."""

import pytest
from sqlalchemy import update

from blog.models import LoginFailure

from .helpers import BOOK, PASSWORD, DeskClient, csrf_from


def login(client, email, password, language="en"):
    token = csrf_from(client.get("/admin/login"))
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers={"Accept-Language": language},
    )


def test_the_desk_asks_strangers_to_sign_in(blog):
    response = blog.get("/admin/posts/new?kind=page")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=/admin/posts/new?kind%3Dpage"


def test_sign_in_then_out(blog, author):
    response = login(blog, author.email, PASSWORD)
    assert response.status_code == 302
    assert blog.get("/admin/").status_code == 200
    token = csrf_from(blog.get("/admin/"))
    assert blog.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert blog.get("/admin/").status_code == 302


def test_logging_out_ends_the_session_even_for_a_copied_cookie(app, blog, author):
    login(blog, author.email, PASSWORD)
    stolen = blog.get_cookie("session", domain="blog.localhost").value
    blog.post("/admin/logout", data={"csrf_token": csrf_from(blog.get("/admin/"))})
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="blog.localhost")
    response = thief.get("/admin/", headers={"Host": "blog.localhost"})
    assert response.status_code == 302


def test_one_account_works_on_both_sites(app, author):
    client = DeskClient(app, app.response_class, base_url=BOOK)
    assert login(client, author.email, PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_next_is_kept_but_only_inside_the_desk(blog, author):
    token = csrf_from(blog.get("/admin/login"))
    data = {"email": author.email, "password": PASSWORD, "csrf_token": token}
    response = blog.post("/admin/login?next=//evil.example.com/", data=data)
    assert response.headers["Location"] == "/admin/"


def test_wrong_password_is_refused_in_the_visitors_language(blog, author):
    response = login(blog, author.email, "nope", language="fr")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert 'value="claire@example.org"' in response.text  # what was typed is kept


def test_repeated_failures_slow_down_then_lock(blog, author, session):
    for _ in range(3):
        assert login(blog, author.email, "wrong guess").status_code == 401
    # Even the right password waits now; the message says for how long.
    response = login(blog, author.email, PASSWORD)
    assert response.status_code == 429
    assert "Wait 2 seconds before trying again." in response.text
    session.execute(update(LoginFailure).values(locked_until=None))
    session.commit()
    assert login(blog, author.email, PASSWORD).status_code == 302


def test_failures_on_other_accounts_do_not_lock_an_author_out(blog, author, session):
    for n in range(10):
        session.execute(update(LoginFailure).values(locked_until=None))
        session.commit()
        assert login(blog, f"someone{n}@example.org", "guess").status_code == 401
    # Each other account's pair is locked; this author's own is untouched.
    assert login(blog, author.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("path", ["/admin/login", "/admin/logout", "/admin/posts/new"])
def test_forms_without_the_csrf_token_are_refused(blog, author, path):
    login(blog, author.email, PASSWORD)
    response = blog.post(
        path,
        data={"email": author.email, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    if path == "/admin/posts/new":
        # The editor keeps the author's text instead of losing it.
        assert response.status_code == 409
    else:
        assert response.status_code == 400
        assert "This form had expired" in response.text


def test_a_wrong_csrf_token_is_refused(blog, author):
    response = blog.post(
        "/admin/login",
        data={"email": author.email, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 400


def test_profile_sets_the_desk_language(desk):
    assert "Posts" in desk.get("/admin/").text
    response = desk.send("/admin/profile", {"name": "Claire V.", "language": "fr"})
    assert response.status_code == 302
    assert "Articles" in desk.get("/admin/").text
    assert '<html lang="fr">' in desk.get("/admin/").text


def test_profile_password_change_needs_the_current_one(desk, author, session):
    from blog.accounts import authenticate

    response = desk.send(
        "/admin/profile",
        {"name": "C", "language": "en", "password": "wrong", "new_password": "brand new password"},
    )
    assert response.status_code == 422
    assert "Your current password is not right." in response.text
    desk.send(
        "/admin/profile",
        {"name": "C", "language": "en", "password": PASSWORD, "new_password": "brand new password"},
    )
    session.expire_all()
    assert authenticate(session, author.email, "brand new password") is not None


def test_desk_pages_are_not_cached(desk):
    assert desk.get("/admin/").headers["Cache-Control"] == "no-store"
