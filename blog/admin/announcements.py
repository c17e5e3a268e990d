"""Announcements: a short entry on one site that leads to a post whose home is another."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from .. import db
from ..announcements import apply, create_announcement, prefill
from ..models import Kind, Post, Revision
from ..rendering import RenderError
from ..rules import ContentRuleError
from ..sites import registry
from .desk import keeps_text
from .forms import AnnouncementForm

bp = Blueprint("announcements", __name__)


def _form(original: Post, announcement: Post | None, form: AnnouncementForm, status=200, **kw):
    sites = [s for s in registry() if s.key != original.home_site]
    return render_template(
        "admin/announcement.html",
        original=original,
        announcement=announcement,
        values=form.values,
        errors=form.errors,
        sites=sites,
        **kw,
    ), status


def _save(original: Post, announcement: Post | None):
    form = AnnouncementForm.from_request(request.form)
    if announcement is not None:
        form.values["site"] = announcement.home_site  # an announcement stays on its site
    if g.get("user") is None or g.get("csrf_failed"):
        return _form(original, announcement, form, 409, signed_out=True)
    if not form.validate():
        return _form(original, announcement, form, 422)
    session = db.session()
    values = form.values
    try:
        if announcement is None:
            announcement = create_announcement(original, values, g.user)
        else:
            apply(announcement, values)
            session.add(Revision.of(announcement, g.user))
        session.commit()
    except (ContentRuleError, RenderError) as error:
        session.rollback()
        form.refused(error)
        if announcement is not None and announcement.id is not None:
            announcement = session.get(Post, announcement.id)
        else:
            announcement = None
        return _form(session.get(Post, original.id), announcement, form, 422)
    return redirect(url_for("admin.announcements.edit", post_id=announcement.id, saved=1))


def _live(post_id: int, kind: str) -> Post:
    """Return the post of this kind that is not in the trash, or answer 404."""
    post = db.session().get(Post, post_id)
    if post is None or post.deleted_at is not None or post.kind != kind:
        abort(404)
    return post


@bp.get("/posts/<int:post_id>/announce")
def new(post_id: int):
    original = _live(post_id, Kind.POST)
    return _form(original, None, AnnouncementForm(prefill(original, request.args.get("site"))))


@bp.post("/posts/<int:post_id>/announce")
@keeps_text
def create(post_id: int):
    return _save(_live(post_id, Kind.POST), None)


@bp.get("/announcements/<int:post_id>")
def edit(post_id: int):
    announcement = _live(post_id, Kind.ANNOUNCEMENT)
    return _form(announcement.announces, announcement, AnnouncementForm.from_post(announcement))


@bp.post("/announcements/<int:post_id>")
@keeps_text
def save(post_id: int):
    announcement = _live(post_id, Kind.ANNOUNCEMENT)
    return _save(announcement.announces, announcement)
