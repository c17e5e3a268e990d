"""The media library in the desk: upload, browse, describe, replace and delete files."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import db, fields
from ..mediaintake import MediaRefused, human_size
from ..mediastore import MediaInUse, delete, library, replace, save_upload, uses
from ..models import Media, MediaKind, utcnow
from ..sites import registry

bp = Blueprint("library", __name__, url_prefix="/media")

VIEWS = ("grid", "list")
TEXTS = {"alt": fields.ALT, "caption": fields.CAPTION, "transcript": fields.TRANSCRIPT}


def _filters() -> dict:
    args = request.args
    return {
        "q": args.get("q", "")[:100],
        "kind": args.get("kind", "") if args.get("kind") in set(MediaKind) else "",
        "view": args.get("view") if args.get("view") in VIEWS else "grid",
    }


@bp.get("/")
def index(refused: list | None = None, status: int = 200):
    """List the library's files, newest first: a grid of thumbnails or a list with details."""
    filters = _filters()
    files = list(db.session().scalars(library(filters["q"], filters["kind"]).limit(500)))
    return render_template(
        "admin/library.html",
        files=files,
        filters=filters,
        refused=refused or [],
        human_size=human_size,
        kinds=list(MediaKind),
        max_size=human_size(current_app.config["MEDIA_MAX_SIZE"]),
    ), status


def _read(upload) -> bytes:
    # One byte over the limit is enough for the store to refuse it with the sizes.
    return upload.stream.read(current_app.config["MEDIA_MAX_SIZE"] + 1)


@bp.post("/upload")
def upload():
    """Store the files sent (a plain file input, or dropped on the page); list the refused."""
    session, now = db.session(), utcnow()
    sent = [f for f in request.files.getlist("file") if f.filename]
    if not sent:
        return index(refused=[("", _nothing_sent())], status=422)
    refused, saved = [], []
    for upload in sent:
        try:
            saved.append(save_upload(session, _read(upload), upload.filename, now))
            session.commit()
        except MediaRefused as error:
            session.rollback()
            refused.append((upload.filename, str(error)))
    if refused:
        return index(refused=refused, status=422)
    if len(saved) == 1:
        return redirect(url_for("admin.library.details", media_id=saved[0].id, uploaded=1))
    return redirect(url_for("admin.library.index", uploaded=len(saved)))


def _nothing_sent() -> str:
    return _("Choose a file to upload first.")


def _media_or_404(media_id: int) -> Media:
    media = db.session().get(Media, media_id)
    if media is None:
        abort(404)
    return media


@bp.route("/<int:media_id>", methods=["GET", "POST"])
def details(media_id: int, error: str = "", status: int = 200):
    """Show a file (size, dimensions, where it is used) and its texts in each language."""
    session = db.session()
    media = _media_or_404(media_id)
    languages = registry().languages
    values = {
        code: {
            "alt": (media.text(code).alt if media.text(code) else ""),
            "caption": (media.text(code).caption if media.text(code) else ""),
            "transcript": (media.text(code).transcript if media.text(code) else ""),
        }
        for code in languages
    }
    errors = {}
    if request.method == "POST" and request.endpoint == "admin.library.details":
        for code in languages:
            for name, spec in TEXTS.items():
                typed = request.form.get(f"{name}-{code}", "")
                values[code][name] = typed
                try:
                    values[code][name] = fields.text(spec, typed, field=name).strip()
                except fields.FieldError as refusal:
                    errors[f"{name}-{code}"] = str(refusal)
        if not errors:
            for code in languages:
                media.set_text(code, **values[code])
            media.updated_at = utcnow()
            # The posts showing the file show its new texts: render them again.
            for post in uses(session, media):
                if f"/media/{media.name}" in post.source:
                    post.set_source(post.source, session=session)
            session.commit()
            return redirect(url_for("admin.library.details", media_id=media.id, saved=1))
        status = 422
    return render_template(
        "admin/media.html",
        media=media,
        values=values,
        errors=errors,
        error=error,
        in_use=status == 409,
        used_by=uses(session, media),
        human_size=human_size,
        languages=languages,
    ), status


@bp.post("/<int:media_id>/replace")
def replace_file(media_id: int):
    """Put a new file behind the same address (same type); its posts follow."""
    session = db.session()
    media = _media_or_404(media_id)
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return details(media_id, error=_nothing_sent(), status=422)
    try:
        replace(session, media, _read(sent), sent.filename, utcnow())
        session.commit()
    except MediaRefused as refusal:
        session.rollback()
        return details(media_id, error=str(refusal), status=422)
    return redirect(url_for("admin.library.details", media_id=media.id, replaced=1))


@bp.post("/<int:media_id>/delete")
def delete_file(media_id: int):
    """Delete a file no post uses; otherwise say which posts would break."""
    session = db.session()
    media = _media_or_404(media_id)
    try:
        delete(session, media)
        session.commit()
    except MediaInUse as in_use:
        session.rollback()
        return details(media_id, error=str(in_use), status=409)
    return redirect(url_for("admin.library.index", deleted=1))
