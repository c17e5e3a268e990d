"""What every request knows before its view runs: its site and its language."""

from __future__ import annotations

from flask import Flask, abort, current_app, g, redirect, render_template, request

from . import i18n
from .sites import strip_port
from .urls import site_path


def init_app(app: Flask) -> None:
    app.url_map.redirect_defaults = False
    app.url_value_preprocessor(_pop_language)
    app.before_request(resolve_site)


def _pop_language(_endpoint: str | None, values: dict | None) -> None:
    g.url_language = values.pop("lang", None) if values else None


def resolve_site():
    """Find the request's site by Host, then its language by URL prefix (or redirect)."""
    if len(request.path) > current_app.config["MAX_PATH_LENGTH"]:
        abort(404)
    sites = current_app.extensions["sites"]
    site = sites.for_host(request.host)
    if site is None:
        host = strip_port(request.host).lower()
        if host in current_app.config["LOOPBACK_HOSTS"]:
            if request.path == "/":
                return render_template("loopback.html", sites=list(sites))
            if request.endpoint == "static":
                return None
        # Never another site, and never a page whose links carry the forged host.
        abort(404)
    g.site = site

    language = g.pop("url_language", None)
    rule = request.url_rule
    localized = rule is not None and "lang" in rule.arguments
    if not site.language_prefix:
        if language is not None:
            abort(404)
        g.lang = site.default_language
    elif language is not None:
        g.lang = language
    elif localized:
        g.lang = i18n.negotiate(site)
        if request.endpoint != "public.home":
            abort(404)
        response = redirect(site_path(site, "public.home", g.lang), code=302)
        response.vary.update(("Cookie", "Accept-Language"))
        return response
    else:
        # A page without a prefix (not found, static, sitemap…): guess from the path, then
        # negotiate, so that even a 404 speaks the reader's language.
        first = request.path.strip("/").split("/", 1)[0]
        g.lang = first if site.accepts(first) else i18n.negotiate(site)
    return None
