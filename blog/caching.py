"""Conditional requests: ETag and Last-Modified from what a public page depends on.

A public page depends on the store (any write advances StoreState), on the
clock only through posts that come due (the latest publication time that has
passed), on its address and language, and on the code that renders it (the
build id). A reader or feed reader whose copy is current gets 304 Not Modified
after two small queries, before anything is rendered.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Flask, current_app, g, request
from sqlalchemy import func, select

from . import clock, db
from .models import Post, StoreState
from .sites import current_reading

UNCACHED_ENDPOINTS = frozenset({"public.switch_language"})


def init_app(app: Flask) -> None:
    app.config.setdefault("BUILD_ID", build_id(app))


def build_id(app: Flask) -> str:
    """Return a digest of what renders pages: package version, templates, catalogs, assets."""
    digest = hashlib.sha256()
    with contextlib.suppress(PackageNotFoundError):
        digest.update(version("blog").encode())
    for folder in (app.config["TEMPLATES_DIR"], app.config["TRANSLATIONS_DIR"], app.static_folder):
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".mo", ".css", ".js", ".xml", ".svg"}:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def validators() -> tuple[str, datetime]:
    """Return the ETag and Last-Modified of the current public request."""
    session = db.session()
    state = session.execute(select(StoreState.version, StoreState.changed_at)).first()
    now = g.get("now") or clock.now()
    due = session.scalar(select(func.max(Post.published_at)).where(Post.published_at <= now))
    stored_version, changed_at = state if state else (0, None)
    # What a public page's data depends on, for the listing counts kept per state (pagination).
    g.store_moment = (stored_version, changed_at, due)
    reading = current_reading()
    moments = [m for m in (changed_at, due) if m is not None]
    last_modified = max(moments).replace(microsecond=0) if moments else now.replace(microsecond=0)
    key = "|".join(
        str(part)
        for part in (
            current_app.config["BUILD_ID"],
            stored_version,
            due,
            reading.site.key,
            reading.language,
            request.full_path,
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32], last_modified


def not_modified():
    """Answer 304 when the reader's copy is current; otherwise remember the validators."""
    if request.method not in ("GET", "HEAD") or request.endpoint in UNCACHED_ENDPOINTS:
        return None
    etag, last_modified = validators()
    g.validators = (etag, last_modified)
    if request.if_none_match:
        fresh = request.if_none_match.contains(etag)
    else:
        since = request.if_modified_since
        fresh = since is not None and last_modified <= since
    if not fresh:
        return None
    response = current_app.response_class(status=304)
    return add_validators(response)


def add_validators(response):
    """Put ETag, Last-Modified and a revalidate-every-time policy on a public response."""
    if "validators" in g and response.status_code in (200, 304):
        etag, last_modified = g.validators
        response.set_etag(etag)
        response.last_modified = last_modified
        response.cache_control.public = True
        response.cache_control.no_cache = True
    return response
