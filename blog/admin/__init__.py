"""The author's desk at /admin/ on every site: one parent blueprint, one child per area."""

from __future__ import annotations

from flask import Blueprint

from . import (
    announcements,
    auth,
    autosaving,
    bulk,
    comments,
    library,
    menus,
    people,
    posts,
    preview,
    readerforms,
    revisions,
    sections,
    settings,
    subscribers,
    terms,
    translating,
    trash,
    twofactor,
)
from .desk import TEMPLATE_GLOBALS, desk_context, desk_time, load_author, no_store
from .diff import Change

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(load_author)
bp.after_request(no_store)
bp.context_processor(desk_context)
bp.add_app_template_filter(desk_time)
for function in TEMPLATE_GLOBALS:
    bp.add_app_template_global(function)
bp.add_app_template_global(Change, "Change")
for child in (
    auth.bp,
    posts.bp,
    revisions.bp,
    trash.bp,
    menus.bp,
    announcements.bp,
    terms.bp,
    comments.bp,
    readerforms.bp,
    subscribers.bp,
    translating.bp,
    bulk.bp,
    people.bp,
    settings.bp,
    twofactor.bp,
    sections.bp,
    autosaving.bp,
    preview.bp,
    library.bp,
):
    bp.register_blueprint(child)
