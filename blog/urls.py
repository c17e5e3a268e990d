"""Absolute URLs, built from each site's configured origin and never from the request.

Static files are addressed by fingerprinted names (site.css → site.3f2a9c1e.css, the first hex
digits of the content's SHA-256), built here by a url_defaults hook on the 'static' endpoint, so
every url_for('static', …) gets one. A fingerprinted name is served `immutable` for a year: new
content means a new name. The plain name keeps working with a short cache.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from flask import Flask, current_app, g, send_from_directory, url_for

from . import clock, rendering
from .models import Kind, MediaKind, PublicationKind, Status, TermKind
from .sites import Site, SiteRegistry, current_reading, registry

if TYPE_CHECKING:
    from .models import Post, Term


FINGERPRINT_LENGTH = 8
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{8})(?P<suffix>\.[A-Za-z0-9]+)$")
IMMUTABLE_MAX_AGE = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Give templates their link helpers, each for the current request's reading, and the
    store's enums, so that templates compare with `Kind.PAGE` rather than "page"; static files
    by fingerprinted names."""
    app.url_defaults(_fingerprint_static)
    app.jinja_env.filters["typeset"] = rendering.typeset
    app.view_functions["static"] = serve_static
    app.jinja_env.globals.update(
        Kind=Kind,
        MediaKind=MediaKind,
        PublicationKind=PublicationKind,
        Status=Status,
        TermKind=TermKind,
        link=link,
        link_home=link_home,
        link_term=link_term,
        link_search=link_search,
        link_subscribe=link_subscribe,
        link_to=link_to,
        opensearch_url=opensearch_url,
        canonical_of=canonical_url,
        announced=announced,
        site_title=site_title,
        static_url=static_url,
        json_ld=rendering.json_ld,
    )


# Addresses built and kept per app: a pure function of the URL map, the site and the values.
# Forgotten all at once beyond this many (the addresses of a few thousand posts).
MAX_BUILT_URLS = 20_000


def site_url(site: Site, endpoint: str, language: str | None = None, **values) -> str:
    """Return the absolute URL of `endpoint` on `site`, prefixed by `language` if the site is.

    Each address is built once per app (a page links to dozens: its menu, its switcher, its
    feeds, its posts); werkzeug builds it the first time.
    """
    known = current_app.extensions.setdefault("built_urls", {})
    key = (site.key, endpoint, language, *values.items())
    url = known.get(key)
    if url is None:
        if site.language_prefix and endpoint in localized_endpoints():
            values["lang"] = language if language in site.languages else site.default_language
        url = _adapter(site).build(endpoint, values, force_external=True)
        if len(known) >= MAX_BUILT_URLS:
            known.clear()
        known[key] = url
    return url


def _adapter(site: Site):
    """Return the URL map bound to a site's configured origin (bound once per app)."""
    adapters = current_app.extensions.setdefault("url_adapters", {})
    if site.key not in adapters:
        adapters[site.key] = current_app.url_map.bind(site.netloc, url_scheme=site.scheme)
    return adapters[site.key]


def localized_endpoints() -> frozenset[str]:
    """Return the endpoints whose URLs carry a language prefix on multilingual sites."""
    found = current_app.extensions.get("localized_endpoints")
    if found is None:
        found = frozenset(
            r.endpoint for r in current_app.url_map.iter_rules() if "lang" in r.arguments
        )
        current_app.extensions["localized_endpoints"] = found
    return found


def site_path(site: Site, endpoint: str, language: str | None = None, **values) -> str:
    """Return the path part of site_url, for links within the same site."""
    url = site_url(site, endpoint, language, **values)
    return url[len(site.url) :] or "/"


def local_path(target: str | None, prefix: str) -> str | None:
    """Return `target` if it is a path of this site under `prefix`, else None.

    The one guard against open redirects (the language switch's and the desk login's `next`):
    no host, nothing a browser turns into one (a backslash becomes "/", tabs and newlines
    vanish), nothing that cannot go in a header, and no dot segment that climbs out of
    `prefix`.
    """
    if (
        not target
        or not target.startswith(prefix)
        or "//" in target
        or "\\" in target
        or not (target.isascii() and target.isprintable())
    ):
        return None
    # Judge the decoded path: a %2e or %2f must not climb out either.
    path = unquote(target.split("?", 1)[0])
    if "\\" in path or "//" in path or any(s in (".", "..") for s in path.split("/")):
        return None
    return target


def post_values(post: Post) -> tuple[str, dict]:
    """Return the endpoint and URL values that address a post."""
    if post.kind == Kind.PAGE:
        return "public.page", {"slug": post.slug}
    return "public.post", {
        "year": post.published_at.year,
        "month": post.published_at.month,
        "slug": post.slug,
    }


def post_url(post: Post, site: Site, language: str | None = None) -> str:
    """Return a post's URL on `site`, shown to readers of `language` (its own by default).

    Written out rather than built by werkzeug: a sitemap or an export names thousands of
    posts. The same string as site_url(site, *post_values(post)) gives, which
    tests/test_urls.py checks for every kind of post on every site.
    """
    language = language or post.language
    prefix = ""
    if site.language_prefix:
        prefix = "/" + (language if language in site.languages else site.default_language)
    if post.kind == Kind.PAGE:
        return f"{site.url}{prefix}/{post.slug}/"
    when = post.published_at
    return f"{site.url}{prefix}/{when.year:04d}/{when.month:02d}/{post.slug}/"


def post_path(post: Post, site: Site, language: str | None = None) -> str:
    """Return the path part of post_url, for links within the same site."""
    return post_url(post, site, language)[len(site.url) :]


def canonical_url(post: Post, sites: SiteRegistry | None = None) -> str:
    """Return the URL of a post on its home site, in its own language: the canonical one.

    `sites` is the app's registry, passed by callers that name thousands of posts.
    """
    return post_url(post, (sites or registry())[post.home_site])


def announced(announcement: Post) -> Post:
    """Return the post an announcement leads to now (Post.announced_version), else the original.

    The time is the request's (public.now), so that a page agrees with itself.
    """
    now = g.get("now") or clock.now()
    return announcement.announced_version(now) or announcement.announces


def link(post: Post) -> str:
    """Return the path of a post on the current site, for readers of the page's language."""
    reading = current_reading()
    return post_path(post, reading.site, reading.language)


def link_home() -> str:
    reading = current_reading()
    return site_path(reading.site, "public.home", reading.language)


def link_to(endpoint: str, **values) -> str:
    """Return the path of a public page of the current site, in the page's language."""
    reading = current_reading()
    return site_path(reading.site, endpoint, reading.language, **values)


def link_search() -> str:
    """Return the path of the current site's search page, in the page's language."""
    reading = current_reading()
    return site_path(reading.site, "public.search", reading.language)


def link_subscribe() -> str | None:
    """Return the path of the current site's subscribe page, or None when no mail can go."""
    if not current_app.config.get("MAIL_SERVER"):
        return None
    reading = current_reading()
    return site_path(reading.site, "public.subscribe", reading.language)


def opensearch_url() -> str:
    """Return the URL of the current site's OpenSearch description, in the page's language."""
    reading = current_reading()
    return site_url(reading.site, "public.opensearch", reading.language)


def link_term(term: Term) -> str:
    reading = current_reading()
    endpoint = f"public.{term.kind}"
    return site_path(reading.site, endpoint, reading.language, slug=term.slug)


def site_title(key: str, language: str) -> str:
    """Return a site's title for readers of `language` (in its default if it lacks that one)."""
    site = registry()[key]
    return site.title_in(site.reading_language(language))


def fingerprint(filename: str) -> str | None:
    """Return the digest of a static file's content, or None if there is no such file.

    Computed once per file and process (the files are part of the code; a deploy restarts the
    workers); in debug mode again whenever the file changes, so that an edited stylesheet
    gets a new name at once.
    """
    folder = Path(current_app.static_folder)
    path = folder / filename
    known = current_app.extensions.setdefault("static_digests", {})
    stamp = None
    if current_app.debug or filename not in known:
        try:
            stat = path.stat()
        except (OSError, ValueError):
            return None
        if not path.is_file() or folder.resolve() not in path.resolve().parents:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
    if filename not in known or (stamp is not None and known[filename][0] != stamp):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]
        known[filename] = (stamp, digest)
    return known[filename][1]


def fingerprinted_name(filename: str) -> str:
    """Return the fingerprinted name of a static file (the name itself if there is none)."""
    head, dot, suffix = filename.rpartition(".")
    # A name without a suffix keeps its plain name: the suffix is what gives its media type.
    digest = fingerprint(filename) if dot and "/" not in suffix else None
    return filename if digest is None else f"{head}.{digest}.{suffix}"


def static_url(filename: str) -> str:
    """Return the path of a static file under its fingerprinted name (url_for's, kept per app;
    asked again each time in debug mode, where an edited file gets a new name at once)."""
    if current_app.debug:
        return url_for("static", filename=filename)
    known = current_app.extensions.setdefault("static_urls", {})
    url = known.get(filename)
    if url is None:
        url = known[filename] = url_for("static", filename=filename)
    return url


def _fingerprint_static(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = fingerprinted_name(values["filename"])


def serve_static(filename: str):
    """Send a static file: immutable under its current fingerprinted name, else briefly cached.

    A fingerprint that is no longer current (a page rendered before a deploy) still gets the
    file, but only with the short cache, since its content is not the one the name promises.
    """
    folder = current_app.static_folder
    plain, immutable = filename, False
    found = FINGERPRINTED.match(filename)
    if found and fingerprint(filename) is None:
        plain = found["stem"] + found["suffix"]
        immutable = fingerprint(plain) == found["digest"]
    if immutable:
        response = send_from_directory(folder, plain, max_age=IMMUTABLE_MAX_AGE)
        response.cache_control.immutable = True
    else:
        response = send_from_directory(folder, plain, max_age=current_app.config["STATIC_MAX_AGE"])
    response.cache_control.public = True
    return response
