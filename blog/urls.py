"""Absolute URLs, built from each site's configured origin and never from the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from .sites import Site

if TYPE_CHECKING:
    from .models import Post


def site_url(site: Site, endpoint: str, language: str | None = None, **values) -> str:
    """Return the absolute URL of `endpoint` on `site`, prefixed by `language` if the site is."""
    if site.language_prefix and endpoint in localized_endpoints():
        values["lang"] = language if language in site.languages else site.default_language
    return _adapter(site).build(endpoint, values, force_external=True)


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


def post_values(post: Post) -> tuple[str, dict]:
    """Return the endpoint and URL values that address a post."""
    if post.kind == "page":
        return "public.page", {"slug": post.slug}
    return "public.post", {
        "year": post.published_at.year,
        "month": post.published_at.month,
        "slug": post.slug,
    }


def post_url(post: Post, site: Site, language: str | None = None) -> str:
    """Return a post's URL on `site`, shown to readers of `language` (its own by default)."""
    endpoint, values = post_values(post)
    return site_url(site, endpoint, language or post.language, **values)


def canonical_url(post: Post) -> str:
    """Return the URL of a post on its home site, in its own language: the canonical one."""
    return post_url(post, current_app.extensions["sites"][post.home_site])


def alternates(versions: list[Post]) -> list[tuple[str, str]]:
    """Return (hreflang, URL) for each translation's canonical page, plus x-default.

    `versions` are the visible posts of one translation group, oldest first.
    x-default is the group's original (its first post), so every page of the
    group names the same one and the set stays reciprocal.
    """
    pairs = [(p.language, canonical_url(p)) for p in versions]
    return [*pairs, ("x-default", canonical_url(versions[0]))]


def listing_alternates(site: Site, endpoint: str, **values) -> list[tuple[str, str]]:
    """Return (hreflang, URL) for a listing page in each of its site's languages.

    x-default is the site's root for the home (it sends each reader to their
    language), else the page in the site's default language.
    """
    if len(site.languages) < 2:
        return []
    pairs = [(lang, site_url(site, endpoint, lang, **values)) for lang in site.languages]
    if endpoint == "public.home":
        return [*pairs, ("x-default", site.url + "/")]
    return [*pairs, ("x-default", site_url(site, endpoint, site.default_language, **values))]
