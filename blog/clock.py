"""The current time, asked in one place, so that an app (a test) can set its own clock."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """Return the current time as an aware UTC datetime, from the app's CLOCK if it sets one.

    CLOCK is a function of no arguments returning an aware datetime; it is None in production.
    Outside an app (a bare store session), the time is the system's.
    """
    return read(current_app.config.get("CLOCK") if has_app_context() else None)


def read(clock) -> datetime:
    """Return the time `clock` (an app's CLOCK setting, or None for the system's) says."""
    moment = clock() if clock is not None else datetime.now(UTC)
    if moment.utcoffset() is None:
        raise ValueError("CLOCK must return an aware datetime (with tzinfo).")
    return moment.astimezone(UTC)
