"""Sitemaps (sitemaps.org 0.9 with hreflang alternates) and robots.txt for one site."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from . import queries, translations
from .models import Post, Publication, PublicationKind, TermKind
from .sites import Site
from .translations import Address, alternates, listing_alternates
from .urls import canonical_url, site_url
from .visibility import on_site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None
    alternates: list[tuple[str, str]] = field(default_factory=list)


def canonical_posts(session: Session, site: Site, now: datetime) -> list[Post]:
    """Return the visible posts, pages and announcements whose canonical URL is on `site`."""
    home = aliased(Publication)
    statement = (
        select(Post)
        .join(home, home.post_id == Post.id)
        .where(home.site == site.key, home.kind == PublicationKind.HOME, on_site(site, now))
        .order_by(Post.published_at.desc(), Post.id)
    )
    return list(session.scalars(statement))


def urls(session: Session, site: Site, now: datetime) -> list[SitemapUrl]:
    """Return every public URL of `site`, each with its hreflang alternates."""
    posts = canonical_posts(session, site, now)
    groups = defaultdict(list)
    group_keys = {p.translation_key for p in posts}
    if group_keys:
        for version in session.scalars(translations.groups(group_keys, now)):
            if version.is_visible(now):
                groups[version.translation_key].append(version)
    latest = max((max(p.updated_at, p.published_at) for p in posts), default=None)

    found = [
        SitemapUrl(url, latest, listing_alternates(site, Address("public.home")))
        for _lang, url in _each_language(site, "public.home")
    ]
    for post in posts:
        versions = groups[post.translation_key]
        found.append(
            SitemapUrl(
                canonical_url(post),
                max(post.updated_at, post.published_at),
                alternates(versions) if len(versions) > 1 else [],
            )
        )
    for kind in (TermKind.CATEGORY, TermKind.TAG):
        endpoint = f"public.{kind}"
        for language in site.languages:
            for term in session.scalars(queries.site_terms(site, language, now, kind)):
                found.append(
                    SitemapUrl(
                        site_url(site, endpoint, language, slug=term.slug),
                        None,
                        listing_alternates(site, Address(endpoint, {"slug": term.slug})),
                    )
                )
    return found


def _each_language(site: Site, endpoint: str, **values):
    for language in site.languages:
        yield language, site_url(site, endpoint, language, **values)


def render(entries: list[SitemapUrl]) -> bytes:
    """Return the sitemap XML of `entries`."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    for entry in entries:
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = entry.loc
        if entry.lastmod is not None:
            lastmod = etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod")
            lastmod.text = entry.lastmod.replace(microsecond=0).isoformat()
        for language, href in entry.alternates:
            etree.SubElement(
                url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=language, href=href
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def robots(site: Site) -> str:
    """Return robots.txt: everything but the desk, and where the sitemap is."""
    return f"User-agent: *\nDisallow: /admin/\n\nSitemap: {site.url}/sitemap.xml\n"
