"""Uploaded files at /media/<path> on every site, served from MEDIA_DIR and never outside it."""

from __future__ import annotations

import os

from flask import Blueprint, abort, send_from_directory

from .config import media_dir

bp = Blueprint("media", __name__)

# An uploaded file is the author's, not code of ours: nothing in it runs, even in an SVG or an
# HTML file opened directly, and it cannot reach the site's origin.
MEDIA_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


@bp.get("/media/<path:name>")
def media(name: str):
    """Send an uploaded file; anything that could leave the folder is simply not found."""
    parts = name.split("/")
    # Backslashes and NUL are separators or terminators somewhere; dot files are private.
    if "\\" in name or "\x00" in name or any(not part or part.startswith(".") for part in parts):
        abort(404)
    folder = media_dir()
    # safe_join (inside send_from_directory) refuses "..", but a symlink could still point out.
    real = os.path.realpath(folder.joinpath(*parts))
    if os.path.commonpath([real, os.path.realpath(folder)]) != os.path.realpath(folder):
        abort(404)
    response = send_from_directory(folder, name)
    response.headers["Content-Security-Policy"] = MEDIA_POLICY
    return response
