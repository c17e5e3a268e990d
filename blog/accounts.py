"""Authors' accounts: password hashes, signed-in sessions, and the brake on password guessing."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock, fields
from .config import DEFAULTS
from .models import LoginFailure, LoginSession, User

MIN_PASSWORD_LENGTH = 10
# Failures allowed before each further attempt must wait; the wait doubles each time, up to
# LOCK_MAX, which a run of LOCK_AFTER failures reaches at once.
FREE_FAILURES = 3
LOCK_AFTER = 10
LOCK_MAX = timedelta(minutes=15)
# A failure older than this no longer counts.
FORGET_AFTER = timedelta(hours=1)
# Failures of one account, from all addresses, past which only addresses that have not failed
# on it are heard.
ACCOUNT_CEILING = 20


class AccountError(ValueError):
    """An account cannot be created or changed; the message says why."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=password_hash_method())


def password_hash_method() -> str:
    """Return the app's PASSWORD_HASH_METHOD; outside an app, the strong default."""
    config = current_app.config if has_app_context() else DEFAULTS
    return config["PASSWORD_HASH_METHOD"]


def create_user(session: Session, email: str, password: str, name: str = "", language: str = "fr"):
    """Store a new author; raise AccountError if the email is taken or the password short."""
    try:
        email = fields.text(fields.EMAIL, normalize_email(email))
        name = fields.text(fields.DISPLAY_NAME, name)
        fields.password(password)
    except fields.FieldError as error:
        raise AccountError(str(error)) from None
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"An account for {email} already exists.")
    user = User(email=email, name=name, password_hash=hash_password(password), language=language)
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the author with this email and password, or None."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    # End the transaction before the slow hash: no lock (SQLite's write lock) is held meanwhile.
    session.commit()
    if user is None:
        # Spend the same time as a real check, so that timing does not reveal accounts.
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(8), method=method)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session, user: User, now: datetime | None = None, lifetime: timedelta | None = None
) -> str:
    """Record a signed-in browser and return the token its cookie keeps."""
    now = now or clock.now()
    if lifetime is not None:
        # Sessions whose cookie never came back after their end: forget them now.
        session.execute(delete(LoginSession).where(LoginSession.created_at <= now - lifetime))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_token_hash(token), user=user, created_at=now))
    session.commit()
    return token


def session_user(
    session: Session,
    token: str | None,
    seen: float | None = None,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
    idle: timedelta | None = None,
) -> User | None:
    """Return the author of a signed-in session, or None; an expired session is deleted.

    A session ends `lifetime` after sign-in whatever happens, and sooner when the browser was
    last `seen` (a time kept in the signed cookie) more than `idle` ago.
    """
    if not token:
        return None
    row = session.get(LoginSession, _token_hash(token))
    if row is None:
        return None
    now = now or clock.now()
    expired = (lifetime is not None and row.created_at + lifetime <= now) or (
        idle is not None and (seen is None or datetime.fromtimestamp(seen, UTC) + idle <= now)
    )
    if expired:
        session.delete(row)
        session.commit()
        return None
    return row.user


def close_session(session: Session, token: str | None) -> None:
    """End a signed-in session: its cookie no longer opens the desk, anywhere."""
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
        session.commit()


def close_other_sessions(session: Session, user: User, token: str | None) -> None:
    """End every signed-in session of `user` but the one whose cookie keeps `token`."""
    others = delete(LoginSession).where(LoginSession.user_id == user.id)
    if token:
        others = others.where(LoginSession.token_hash != _token_hash(token))
    session.execute(others)


# --- the brake on guessing ------------------------------------------------------------------
#
# Two counts per attempt. The strict one is per pair (account, address): the attacker's own
# attempts slow down, then lock. The soft one is per account, from every address: past
# ACCOUNT_CEILING failures in the window, an address that has already failed on the account
# waits LOCK_MAX, while an address with no failure on it is still heard. So a distributed guess
# gets one try per address, and the author with the right password from a clean address
# (their own) always gets in: the lock is never a weapon against them.
#
# Each attempt is claimed, counted as a failure, before its password is checked, in one short
# transaction holding the rows (SELECT … FOR UPDATE on PostgreSQL, the write lock on SQLite):
# concurrent guesses are counted one by one, and none is evaluated beyond the allowance.


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def throttle_keys(email: str, address: str | None) -> tuple[str, str]:
    """Return the keys of the pair (account, address) and of the account, of bounded length."""
    account = _digest(normalize_email(email))
    return f"pair:{(address or 'unknown')[:64]}:{account}", f"account:{account}"


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))


def _held_rows(session: Session, keys: tuple[str, ...], now: datetime) -> dict[str, LoginFailure]:
    """Return the counting rows of `keys`, created if missing, locked until the commit."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # A write first: on SQLite it takes the write lock before anything is read.
    session.execute(
        insert(LoginFailure)
        .values([{"key": key, "count": 0, "last_at": now, "locked_until": None} for key in keys])
        .on_conflict_do_nothing()
    )
    rows = session.scalars(
        select(LoginFailure)
        .where(LoginFailure.key.in_(keys))
        .order_by(LoginFailure.key)  # one order for every request: no deadlock
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.key: row for row in rows}


def claim_attempt(
    session: Session, email: str, address: str | None, now: datetime | None = None
) -> int:
    """Count an attempt as failed before it is checked; return the seconds to wait (0: go on)."""
    now = now or clock.now()
    pair_key, account_key = throttle_keys(email, address)
    rows = _held_rows(session, (pair_key, account_key), now)
    pair, account = rows[pair_key], rows[account_key]
    for row in (pair, account):
        if row.last_at < now - FORGET_AFTER:
            row.count, row.locked_until = 0, None
    wait = 0
    if pair.locked_until is not None and pair.locked_until > now:
        wait = _seconds(pair.locked_until - now)
    elif account.count >= ACCOUNT_CEILING and pair.count > 0:
        wait = _seconds(pair.last_at + LOCK_MAX - now)
    if not wait:
        for row in (pair, account):
            row.count += 1
            row.last_at = now
        lock = lock_for(pair.count)
        pair.locked_until = now + lock if lock else None
    session.commit()
    return wait


def release_attempt(session: Session, email: str, address: str | None) -> None:
    """Undo a claimed attempt whose password was right: the pair is forgotten."""
    pair_key, account_key = throttle_keys(email, address)
    session.execute(delete(LoginFailure).where(LoginFailure.key == pair_key))
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.key == account_key, LoginFailure.count > 0)
        .values(count=LoginFailure.count - 1)
    )
    session.commit()


def lock_for(failures: int) -> timedelta | None:
    """Return how long a pair (account, address) waits after this many failures in a row."""
    if failures < FREE_FAILURES:
        return None
    if failures >= LOCK_AFTER:
        return LOCK_MAX
    return min(LOCK_MAX, timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)))
