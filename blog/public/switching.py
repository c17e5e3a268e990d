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


@route("/only/<any(on, off):choice>", localized=False)
def switch_only(reading: Reading, choice: str):
    """Remember whether a reader lists only their language, then go back to the page they were on.

    Only on a site that shows fallbacks (elsewhere there is nothing to choose); the choice is
    kept like the language, in a cookie, and listings read it (Reading.only).
    """
    site = reading.site
    if not site.shows_fallbacks:
        abort(404)
    home = site_path(site, "public.home", reading.language)
    # Any path of this site: the listing the reader was on, in whichever language.
    target = local_path(request.args.get("next", ""), "/") or home
    response = redirect(target, 303)
    name = current_app.config["ONLY_LANGUAGE_COOKIE"]
    if choice == "on":
        response.set_cookie(
            name,
            "1",
            max_age=current_app.config["LANGUAGE_COOKIE_MAX_AGE"],
            samesite="Lax",
            httponly=True,
            secure=site.scheme == "https",
        )
    else:
        response.delete_cookie(name, samesite="Lax", httponly=True, secure=site.scheme == "https")
    return response
