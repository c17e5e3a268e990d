"""Time-based one-time passwords (RFC 6238, over RFC 4226's HOTP), written with hmac and hashlib.

An authenticator app and the desk share a secret (base32, as the apps take it); a code is
HOTP of the number of 30-second steps since the epoch. A code of the step before or after is
accepted too (clocks drift), and the step of the last code accepted is kept so that a code
seen over a shoulder cannot be used again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6
# Steps either side of the current one whose codes are accepted.
WINDOW = 1


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """Return the HOTP code of `counter` under `key` (RFC 4226, section 5.3)."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    binary = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP


def totp(key: bytes, moment: datetime, digits: int = DIGITS, digest: str = "sha1") -> str:
    """Return the TOTP code of `moment` under `key` (RFC 6238, T0 = 0, X = 30 s)."""
    return hotp(key, step_of(moment), digits, digest)


def new_secret() -> str:
    """Return a new shared secret: 160 random bits in base32, as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def key_of(secret: str) -> bytes:
    return base64.b32decode(secret.replace(" ", "").upper())


def accepted_step(secret: str, code: str, moment: datetime, last_step: int | None) -> int | None:
    """Return the step `code` is valid for at `moment` (within WINDOW), None if it is not, or
    if that step is not later than the last one accepted (a code is used once)."""
    code = code.replace(" ", "").strip()
    if len(code) != DIGITS or not code.isdigit():
        return None
    key, now = key_of(secret), step_of(moment)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(hotp(key, step), code) and (last_step is None or step > last_step):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the otpauth:// address an authenticator app adds an account from."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}"
