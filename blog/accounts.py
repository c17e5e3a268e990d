"""Authors' accounts: password hashes, signed-in sessions, and the brake on password guessing."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import LoginFailure, LoginSession, User, utcnow

PASSWORD_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 10
# Failures allowed before each further attempt must wait; the wait doubles each time, up to
# LOCK_MAX, which a run of LOCK_AFTER failures reaches at once.
FREE_FAILURES = 3
LOCK_AFTER = 10
LOCK_MAX = timedelta(minutes=15)
# A failure older than this no longer counts.
FORGET_AFTER = timedelta(hours=1)


class AccountError(ValueError):
    """An account cannot be created or changed; the message says why."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def create_user(session: Session, email: str, password: str, name: str = "", language: str = "fr"):
    """Store a new author; raise AccountError if the email is taken or the password short."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
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
    if user is None:
        # Spend the same time as a real check, so that timing does not reveal accounts.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


_DUMMY_HASH = hash_password(secrets.token_hex(8))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clock(config: Mapping) -> datetime:
    """Return the current time by the configured CLOCK (tests move it), else the real one."""
    return (config.get("CLOCK") or utcnow)()


def open_session(
    session: Session, user: User, now: datetime | None = None, lifetime: timedelta | None = None
) -> str:
    """Record a signed-in browser and return the token its cookie keeps."""
    now = now or utcnow()
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
    now = now or utcnow()
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


def throttle_keys(email: str, address: str | None) -> list[str]:
    return [f"account:{normalize_email(email)}", f"address:{address or 'unknown'}"]


def wait_before_login(session: Session, keys: list[str], now: datetime | None = None) -> int:
    """Return how many seconds must pass before another attempt for these keys (0: none)."""
    now = now or utcnow()
    until = session.scalar(
        select(func.max(LoginFailure.locked_until)).where(LoginFailure.key.in_(keys))
    )
    if until is None or until <= now:
        return 0
    return max(1, int((until - now).total_seconds() + 0.999))


def record_failure(session: Session, keys: list[str], now: datetime | None = None) -> None:
    """Count a failed login for each key and lock them for longer as failures repeat."""
    now = now or utcnow()
    for key in keys:
        row = session.get(LoginFailure, key)
        if row is None:
            row = LoginFailure(key=key, count=0)
            session.add(row)
        elif row.last_at < now - FORGET_AFTER:
            row.count = 0
        row.count += 1
        row.last_at = now
        row.locked_until = now + lock_for(row.count) if lock_for(row.count) else None
    session.commit()


def lock_for(failures: int) -> timedelta | None:
    """Return how long an account or address waits after this many failures in a row."""
    if failures < FREE_FAILURES:
        return None
    if failures >= LOCK_AFTER:
        return LOCK_MAX
    return min(LOCK_MAX, timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)))


def forget_failures(session: Session, email: str) -> None:
    """Clear the account's failures after a successful login (the address keeps its count)."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == throttle_keys(email, None)[0]))
    session.commit()
