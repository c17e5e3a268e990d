"""Uploaded files at /media/<path> on every site, served from MEDIA_DIR and never outside it.

The media library's fingerprinted copies (/media/v/…) and the embeds' posters
(/media/posters/…, fingerprinted too) never change: cached for ever. Other
files keep their address when replaced: cached for STATIC_MAX_AGE. Documents are downloads
(Content-Disposition), and a file that could run in a browser (HTML, SVG, XML) is sent as
plain text to download, whatever put it there.
"""

from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, send_from_directory

from . import sniffing
from .config import media_dir
from .mediastore import VARIANTS
from .posters import FOLDER as POSTERS

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
    immutable = parts[0] in (VARIANTS, POSTERS) and len(parts) == 2
    max_age = 365 * 24 * 3600 if immutable else current_app.config["STATIC_MAX_AGE"]
    response = send_from_directory(folder, name, max_age=max_age)
    if immutable:
        response.cache_control.immutable = True
    extension = parts[-1].rpartition(".")[2].lower()
    if extension in sniffing.ACTIVE:
        response.mimetype = "text/plain"
    if extension in sniffing.ACTIVE or extension in DOWNLOADS:
        response.headers.set("Content-Disposition", "attachment", filename=parts[-1])
    response.headers["Content-Security-Policy"] = MEDIA_POLICY
    return response


# Documents are saved by the reader's browser, not opened in the site's tab.
DOWNLOADS = frozenset(e for t in sniffing.TYPES if t.kind == "document" for e in t.extensions)
