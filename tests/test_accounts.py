"""Accounts: password hashes, sessions, the brake on guessing, and create-user."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from blog import accounts, create_app
from blog.config import DEFAULTS
from blog.models import LoginFailure, User, utcnow

from .helpers import FAST_PASSWORD_HASH, PASSWORD, SITES_FILE


def test_passwords_are_stored_hashed_with_scrypt(author, session):
    stored = session.scalar(select(User.password_hash).where(User.id == author.id))
    assert PASSWORD not in stored
    assert stored.startswith("scrypt:")


def test_production_hashes_at_full_cost():
    # Werkzeug's scrypt default (N=2**15, r=8, p=1): about a quarter of a second per guess.
    assert DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"
    assert accounts.password_hash_method() == "scrypt"  # outside an app: the default
    app = create_app({"DATABASE_URL": "sqlite://", "SITES_FILE": SITES_FILE})
    with app.app_context():
        assert accounts.hash_password(PASSWORD).startswith("scrypt:32768:8:1$")


def test_tests_hash_cheaply_and_still_check(app, author, session):
    # What keeps the author fixture fast; a hash records its own cost, so checks still work.
    stored = session.scalar(select(User.password_hash).where(User.id == author.id))
    assert stored.startswith(FAST_PASSWORD_HASH + "$")
    with app.app_context():
        assert accounts.authenticate(session, author.email, PASSWORD).id == author.id


def test_authenticate(app, author, session):
    with app.app_context():
        assert accounts.authenticate(session, "Claire@Example.org ", PASSWORD).id == author.id
        assert accounts.authenticate(session, author.email, "wrong password") is None
        assert accounts.authenticate(session, "nobody@example.org", PASSWORD) is None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("claire@example.org", PASSWORD, "already exists"),
        ("not-an-email", PASSWORD, "not an email"),
        ("new@example.org", "short", "at least 10"),
    ],
)
def test_create_user_refuses_with_a_reason(author, session, email, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(session, email, password)


def test_sessions_end_when_closed(author, session):
    token = accounts.open_session(session, author)
    assert accounts.session_user(session, token).id == author.id
    accounts.close_session(session, token)
    assert accounts.session_user(session, token) is None


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(1, None), (2, None), (3, 2), (4, 4), (6, 16), (9, 128), (10, 900), (50, 900)],
)
def test_lock_grows_with_failures(failures, wait):
    expected = None if wait is None else timedelta(seconds=wait)
    assert accounts.lock_for(failures) == expected


def test_failures_lock_then_expire(session):
    now = utcnow()
    for _ in range(3):
        assert accounts.claim_attempt(session, "a@example.org", "192.0.2.1", now) == 0
    assert accounts.claim_attempt(session, "a@example.org", "192.0.2.1", now) == 2
    later = now + timedelta(seconds=3)
    assert accounts.claim_attempt(session, "a@example.org", "192.0.2.1", later) == 0


def test_old_failures_are_forgotten(session):
    start = utcnow()
    for n in range(5):
        accounts.claim_attempt(session, "a@example.org", "192.0.2.1", start + timedelta(minutes=n))
    accounts.claim_attempt(session, "a@example.org", "192.0.2.1", start + timedelta(hours=2))
    counts = session.scalars(select(LoginFailure.count)).all()
    assert counts == [1, 1]


def test_a_right_password_forgets_the_pair_but_not_the_accounts_other_failures(session):
    now = utcnow()
    for address in ("192.0.2.1", "192.0.2.2"):
        accounts.claim_attempt(session, "a@example.org", address, now)
    accounts.claim_attempt(session, "a@example.org", "192.0.2.1", now)
    accounts.release_attempt(session, "a@example.org", "192.0.2.1")
    rows = dict(session.execute(select(LoginFailure.key, LoginFailure.count)).all())
    pair, account = accounts.throttle_keys("a@example.org", "192.0.2.1")
    assert pair not in rows
    assert rows[account] == 2


def test_keys_stay_short_whatever_was_typed():
    for key in accounts.throttle_keys("x" * 5000 + "\x00@example.org", "y" * 500):
        assert len(key) <= 120


def test_create_user_command_asks_for_the_password(app, session):
    result = app.test_cli_runner().invoke(
        args=["create-user", "new@example.org", "--name", "New"],
        input="a new long password\na new long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    user = session.scalar(select(User).where(User.email == "new@example.org"))
    assert accounts.authenticate(session, "new@example.org", "a new long password") == user


def test_create_user_command_reports_errors(app, author):
    result = app.test_cli_runner().invoke(
        args=["create-user", author.email], input="another password\nanother password\n"
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
