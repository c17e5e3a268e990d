"""What every request knows before its view runs: its site and its language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, render_template, request
from werkzeug.routing import RequestRedirect

from . import i18n
from .sites import strip_port
from .urls import site_path

# What a loopback host may reach besides the list of sites (a local monitor asks for /healthz).
LOOPBACK_ENDPOINTS = frozenset({"static", "health.healthz"})


def init_app(app: Flask) -> None:
    app.url_map.redirect_defaults = False
    app.url_value_preprocessor(_pop_language)
    app.before_request(resolve_site)
    app.after_request(vary_on_negotiation)


def _pop_language(_endpoint: str | None, values: dict | None) -> None:
    g.url_language = values.pop("lang", None) if values else None


def resolve_site():
    """Find the request's site by Host, then its language by URL prefix (or redirect)."""
    sites = current_app.extensions["sites"]
    site = sites.for_host(request.host)
    if site is None:
        host = strip_port(request.host).lower()
        if host in current_app.config["LOOPBACK_HOSTS"]:
            if request.path == "/":
                return render_template("loopback.html", sites=list(sites))
            if request.endpoint in LOOPBACK_ENDPOINTS:
                return None
        # Never another site, and never a page whose links carry the forged host.
        abort(404)
    g.site = site
    if len(request.path) > current_app.config["MAX_PATH_LENGTH"]:
        g.lang = site.default_language
        abort(404)
    if isinstance(request.routing_exception, RequestRedirect):
        # Werkzeug builds this redirect (a missing trailing slash) from the request's Host;
        # keep only its path, so that no Location ever carries a host we did not configure.
        parts = urlsplit(request.routing_exception.new_url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return redirect(target, request.routing_exception.code)

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
        g.negotiated = True
        if request.endpoint != "public.home":
            abort(404)
        response = redirect(site_path(site, "public.home", g.lang), code=302)
        response.vary.update(("Cookie", "Accept-Language"))
        return response
    else:
        # A page without a prefix (not found, static, sitemap…): guess from the path, then
        # negotiate, so that even a 404 speaks the reader's language.
        first = request.path.strip("/").split("/", 1)[0]
        if site.accepts(first):
            g.lang = first
        else:
            g.lang = i18n.negotiate(site)
            g.negotiated = True
    return None


def vary_on_negotiation(response):
    """Say that a page whose language was negotiated depends on the cookie and the browser."""
    if g.get("negotiated"):
        response.vary.update(("Cookie", "Accept-Language"))
    return response
