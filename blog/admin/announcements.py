"""Announcements: a short entry on one site that leads to a post whose home is another."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import db, fields
from ..models import ContentRuleError, Kind, Post, PublicationKind, Revision, Status, utcnow
from ..rendering import RenderError
from ..sites import registry
from ..slugs import slugify
from .desk import keeps_text

bp = Blueprint("announcements", __name__)

FIELDS = ("site", "language", "title", "slug", "source", "status")
RULE_FIELDS = {
    "announcement_site": "site",
    "announcement_unique": "language",
    "site_language": "language",
    "slug": "slug",
}


def prefill(original: Post, site_key: str | None) -> dict[str, str]:
    """Return the form of a new announcement of `original`, ready to be edited."""
    sites = registry()
    targets = [s for s in sites if s.key != original.home_site]
    target = sites.get(site_key) if site_key else None
    if target is None or target.key == original.home_site:
        target = targets[0] if targets else None
    if target is None:
        abort(404)
    language = original.language if target.accepts(original.language) else target.default_language
    same = language == original.language
    return {
        "site": target.key,
        "language": language,
        "title": original.title if same else "",
        "slug": "",
        # Pre-filled from the post's summary, for the author to rewrite for these readers.
        "source": original.summary,
        "status": Status.PUBLISHED,
    }


def create_announcement(original: Post, values: dict[str, str], author=None) -> Post:
    """Build an announcement of `original` from form values (the store checks its rules)."""
    announcement = Post(kind=Kind.ANNOUNCEMENT, announces=original)
    db.session().add(announcement)
    with db.session().no_autoflush:
        apply(announcement, values)
        announcement.publish_on(values["site"], PublicationKind.HOME)
    db.session().add(Revision.of(announcement, author, note=f"announcement of #{original.id}"))
    return announcement


def apply(announcement: Post, values: dict[str, str]) -> None:
    announcement.language = values["language"]
    announcement.title = values["title"].strip()
    announcement.slug = values["slug"].strip() or slugify(values["title"])
    announcement.source = values["source"].replace("\r\n", "\n")
    announcement.summary = ""
    announcement.status = values["status"]
    announcement.updated_at = utcnow()


def check(values: dict[str, str]) -> dict[str, str]:
    """Return what is wrong with an announcement's values, by field (empty: nothing)."""
    sites, errors = registry(), {}
    for name, spec in (("title", fields.TITLE), ("source", fields.SOURCE)):
        try:
            fields.text(spec, values[name])
        except fields.FieldError as error:
            errors[name] = str(error)
    if not errors.get("title") and not values["title"].strip():
        errors["title"] = _("Give the announcement a title in its language.")
    slug = values["slug"].strip() or slugify(values["title"])
    if not slug:
        errors["slug"] = _("Give the post a slug: lowercase letters, digits and hyphens.")
    else:
        try:
            fields.slug(slug)
        except fields.FieldError as error:
            errors["slug"] = str(error)
    if sites.get(values["site"]) is None:
        errors["site"] = _("Choose among the sites offered.")
    if values["language"] not in sites.languages:
        errors["language"] = _("Choose one of the languages offered.")
    if values["status"] not in (Status.DRAFT, Status.PUBLISHED):
        errors["status"] = _("Choose draft or published.")
    return errors


def _form(original: Post, announcement: Post | None, values: dict, errors: dict, status=200, **kw):
    sites = [s for s in registry() if s.key != original.home_site]
    return render_template(
        "admin/announcement.html",
        original=original,
        announcement=announcement,
        values=values,
        errors=errors,
        sites=sites,
        **kw,
    ), status


def _save(original: Post, announcement: Post | None):
    values = {name: request.form.get(name, "") for name in FIELDS}
    if announcement is not None:
        values["site"] = announcement.home_site  # an announcement stays on its site
    if g.get("user") is None or g.get("csrf_failed"):
        return _form(original, announcement, values, {}, 409, signed_out=True)
    errors = check(values)
    if errors:
        return _form(original, announcement, values, errors, 422)
    session = db.session()
    try:
        if announcement is None:
            announcement = create_announcement(original, values, g.user)
        else:
            apply(announcement, values)
            session.add(Revision.of(announcement, g.user))
        session.commit()
    except (ContentRuleError, RenderError) as error:
        session.rollback()
        field = RULE_FIELDS.get(getattr(error, "rule", ""), "source")
        if announcement is not None and announcement.id is not None:
            announcement = session.get(Post, announcement.id)
        else:
            announcement = None
        return _form(session.get(Post, original.id), announcement, values, {field: str(error)}, 422)
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
    return _form(original, None, prefill(original, request.args.get("site")), {})


@bp.post("/posts/<int:post_id>/announce")
@keeps_text
def create(post_id: int):
    return _save(_live(post_id, Kind.POST), None)


@bp.get("/announcements/<int:post_id>")
def edit(post_id: int):
    announcement = _live(post_id, Kind.ANNOUNCEMENT)
    values = {
        "site": announcement.home_site,
        "language": announcement.language,
        "title": announcement.title,
        "slug": announcement.slug,
        "source": announcement.source,
        "status": announcement.status,
    }
    return _form(announcement.announces, announcement, values, {})


@bp.post("/announcements/<int:post_id>")
@keeps_text
def save(post_id: int):
    announcement = _live(post_id, Kind.ANNOUNCEMENT)
    return _save(announcement.announces, announcement)
