"""People: invitations, one-time password links, recovery codes, and mailing a link.

An administrator invites an account (no password yet) and passes on, or mails, a one-time
link that sets its password; a forgotten password gets the same kind of link (the desk's
People page or `flask reset-password`). Only SHA-256 digests of tokens and codes are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import accounts, fields, mail
from .models import LoginSession, OneTimeToken, RecoveryCode, Role, User

INVITE, RESET = "invite", "reset"
RECOVERY_CODES = 10


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def invite(session: Session, email: str, name: str, role: str, language: str) -> User:
    """Create an account with no usable password (its invitation link sets one)."""
    email = fields.text(fields.EMAIL, accounts.normalize_email(email))
    name = fields.text(fields.DISPLAY_NAME, name)
    if "@" not in email:
        raise accounts.AccountError(f"{email!r} is not an email address.")
    if role not in list(Role):
        raise accounts.AccountError(f"{role!r} is not a role.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise accounts.AccountError(f"An account for {email} already exists.")
    # A hash no password matches: the account opens only through its link.
    unusable = accounts.hash_password(secrets.token_urlsafe(32))
    user = User(email=email, name=name, role=role, language=language, password_hash=unusable)
    session.add(user)
    return user


def new_link_token(session: Session, user: User, purpose: str, now: datetime) -> str:
    """Return a new one-time token for `user` (earlier ones of the same purpose stop working)."""
    session.execute(
        delete(OneTimeToken).where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose)
    )
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(seconds=current_app.config["LINK_LIFETIME"])
    session.add(
        OneTimeToken(
            token_hash=_digest(token), user=user, purpose=purpose, expires_at=now + lifetime
        )
    )
    return token


def token_user(session: Session, token: str, now: datetime) -> OneTimeToken | None:
    """Return the live one-time token `token` names, or None (unknown, used or expired)."""
    row = session.get(OneTimeToken, _digest(token)) if token else None
    if row is None or row.expires_at <= now:
        return None
    return row


def set_password(session: Session, row: OneTimeToken, password: str) -> User:
    """Use a one-time token: set the password, end the account's sessions, spend the token."""
    user = row.user
    user.password_hash = accounts.hash_password(password)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.delete(row)
    return user


def forget_recovery_codes(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Return fresh recovery codes for `user` (the old ones stop working); shown once."""
    forget_recovery_codes(session, user)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(code_hash=_digest(code), user_id=user.id) for code in codes)
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Spend one of `user`'s recovery codes; say whether it was one."""
    row = session.get(RecoveryCode, _digest(code.strip().lower()))
    if row is None or row.user_id != user.id:
        return False
    session.delete(row)
    return True


def administrators(session: Session) -> int:
    return len(session.scalars(select(User.id).where(User.role == Role.ADMINISTRATOR)).all())


def mail_link(session: Session, user: User, subject: str, body: str) -> bool:
    """Queue a message to `user` in `session` when SMTP is configured; say whether it was.

    The caller commits it with the token it carries: both are kept, or neither.
    """
    if not mail.configured(current_app.config):
        return False
    mail.queue(session, [user.email], subject, body)
    return True
