"""The search page of each site and language, and its OpenSearch description.

Search pages are never kept by the page cache (caching.UNCACHED_ENDPOINTS: a reader could
fill it with queries), never indexed (`noindex`, in the page and its headers), and not in
sitemaps nor the static export.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, render_template, request

from .. import db, search
from ..pagination import PAGE_NUMBER
from ..sites import Reading
from ..urls import site_path, site_url, static_url
from . import now, route
from .pages import render

OPENSEARCH_TYPE = "application/opensearchdescription+xml"


@route("/search", endpoint="search")
def search_page(reading: Reading):
    """Show what a reader finds with ?q= (&only=1: in their language only; &page=N)."""
    site, language = reading.site, reading.language
    raw = request.args.get("q", "")
    only = request.args.get("only") == "1"
    number = request.args.get("page", "1")
    page = int(number) if PAGE_NUMBER.fullmatch(number) else 1
    results = search.search(
        db.connection(),
        site,
        language,
        raw,
        now(),
        only=only,
        page=page,
        per_page=current_app.config["POSTS_PER_PAGE"],
        matches=current_app.config["SEARCH_MATCHES"],
    )
    here = site_path(site, "public.search", language)

    def address(**changes) -> str:
        values = {"q": results.query.text, "only": "1" if only else None, "page": None}
        values.update(changes)
        return here + "?" + urlencode({k: v for k, v in values.items() if v})

    response = current_app.make_response(
        render(
            reading,
            "public/search.html",
            results=results,
            only=only,
            address=address,
            fallbacks=len(search.languages_searched(site, language, False)) > 1,
            alternates=[],
        )
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@route("/opensearch.xml")
def opensearch(reading: Reading):
    """Describe the site's search in the reader's language, for browsers (OpenSearch 1.1)."""
    site, language = reading.site, reading.language
    template = site_url(site, "public.search", language) + "?q={searchTerms}"
    body = render_template(
        "public/opensearch.xml",
        site=site,
        page_lang=language,
        template=template,
        icon=site.url + static_url("img/favicon.svg"),
    )
    return current_app.response_class(body, mimetype=OPENSEARCH_TYPE)
