"""A reader's explicit choice of language: remembered in a cookie, then the chosen page."""

from __future__ import annotations

from flask import abort, current_app, redirect, request

from ..sites import Reading
from ..urls import local_path, site_path
from . import route


@route("/language/<lang:code>", localized=False)
def switch_language(reading: Reading, code: str):
    """Remember a reader's explicit choice of language, then go to the page they chose."""
    site = reading.site
    if not site.accepts(code):
        abort(404)
    home = site_path(site, "public.home", code)
    # Only a path of this site, in the chosen language: never an open redirect.
    target = local_path(request.args.get("next", ""), home) or home
    response = redirect(target, 303)
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        code,
        max_age=current_app.config["LANGUAGE_COOKIE_MAX_AGE"],
        samesite="Lax",
        httponly=True,
        secure=site.scheme == "https",
    )
    return response
