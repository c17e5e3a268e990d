"""What a request reads, decided once before any view: its site, then its language.

    Host header ──> Site (or 404)       the sites file's host names, never another site
    path prefix ──> language            /fr/… → fr; bare / → cookie, Accept-Language, default

The result is one frozen value, the request's `Reading`, that public views receive as their
first argument and pass to their templates; it is also what conditional requests and caches
key on. The desk keeps its own interface language under its own name (`desk_language`).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.routing import RequestRedirect

from . import redirects
from .pagecache import STATIC_EXPORT
from .sites import Reading, Site, current_reading, registry, strip_port

# What a loopback host may reach besides the list of sites (a local monitor asks for /healthz).
LOOPBACK_ENDPOINTS = frozenset({"static", "health.healthz"})
# Addresses without a language prefix whose answer is the same in every language: they are
# read in the site's default language, never negotiated, so that they do not vary on the
# reader's cookie and browser (and a shared cache keeps one copy).
LANGUAGE_FREE_ENDPOINTS = frozenset(
    {"static", "media.media", "public.sitemap", "public.sitemap_chunk", "public.robots"}
)

# The pages that list posts: on a site that shows fallbacks, each depends on the reader's
# choice to see only their language (Reading.only).
LISTINGS = frozenset(
    {
        "public.home",
        "public.category",
        "public.tag",
        "public.archive_year",
        "public.archive_month",
        "public.archive_index",
        "public.category_index",
    }
)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["offers_only"] = offers_only
    app.url_map.redirect_defaults = False
    app.url_value_preprocessor(_pop_language)
    # The first request hook, so that every later one (and every error page) knows the site.
    app.before_request_funcs.setdefault(None, []).insert(0, resolve)
    app.after_request(vary_on_negotiation)


def _pop_language(_endpoint: str | None, values: dict | None) -> None:
    # The URL's language is the Reading's to decide; views never see it as an argument.
    g.url_language = values.pop("lang", None) if values else None


def resolve():
    """Resolve the request in order: the site by Host, old `?p=ID` addresses, the language,
    then the reader's choice of listings in their language only."""
    answer = _resolve()
    reading = current_reading()
    if reading is not None and chooses_only(reading.site):
        g.reading = replace(reading, only=True)
    return answer


def offers_only(site: Site) -> bool:
    """Say whether this page offers "only in my language" (a site that shows fallbacks, served
    live: a static export's listings are the same for every reader)."""
    return site.shows_fallbacks and not request.environ.get(STATIC_EXPORT)


def chooses_only(site: Site) -> bool:
    """Say whether this request's reader hides other languages' posts from `site`'s listings."""
    cookie = request.cookies.get(current_app.config["ONLY_LANGUAGE_COOKIE"])
    return cookie == "1" and site.shows_fallbacks


def _resolve():
    sites = registry()
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
    # Until the language is known, the site's default speaks (an error page, a redirect).
    g.reading = Reading(site, site.default_language)
    # `?p=ID` addresses a site's home, which answers (or redirects to a language) before
    # any 404: WordPress addressed every post that way.
    moved = redirects.answer_post_id(site)
    if moved is not None:
        return moved
    if len(request.path) > current_app.config["MAX_PATH_LENGTH"]:
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
        return None
    if language is not None:
        g.reading = Reading(site, language)
        return None
    if localized:
        g.reading = Reading(site, negotiate(site), negotiated=True)
        if request.endpoint != "public.home":
            abort(404)
        response = redirect(url_for("public.home", lang=g.reading.language), code=302)
        response.vary.update(("Cookie", "Accept-Language"))
        return response
    # A page without a prefix (not found, static…): guess from the path, then
    # negotiate, so that even a 404 speaks the reader's language.
    if request.endpoint in LANGUAGE_FREE_ENDPOINTS:
        return None  # read in the site's default language, set above
    first = request.path.strip("/").split("/", 1)[0]
    if site.accepts(first):
        g.reading = Reading(site, first)
    else:
        g.reading = Reading(site, negotiate(site), negotiated=True)
    return None


def negotiate(site: Site) -> str:
    """Choose a reader's language on `site`: their earlier choice, their browser, the default."""
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen and site.accepts(chosen):
        return chosen
    best = request.accept_languages.best_match(site.languages)
    return best or site.default_language


def interface_language() -> str:
    """Return the language the interface speaks: the desk's author's, else the reading's."""
    if "desk_language" in g:
        return g.desk_language
    reading = current_reading()
    return reading.language if reading else current_app.config["BABEL_DEFAULT_LOCALE"]


def vary_on_negotiation(response):
    """Say that a page whose language was negotiated depends on the cookie and the browser,
    and that a listing of a site that shows fallbacks depends on the reader's choice (a cookie)."""
    reading = current_reading()
    if reading is not None and reading.negotiated:
        response.vary.update(("Cookie", "Accept-Language"))
    elif reading is not None and reading.site.shows_fallbacks and request.endpoint in LISTINGS:
        response.vary.add("Cookie")
    return response
