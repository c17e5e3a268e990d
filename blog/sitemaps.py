"""Sitemaps (sitemaps.org 0.9 with hreflang alternates) and robots.txt for one site.

/sitemap.xml is an index of chunks (/sitemap-1.xml, …) of at most SITEMAP_CHUNK_SIZE URLs each:
the protocol allows 50,000 URLs and 50 MB a file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from . import entries, queries, translations
from .entries import ADDRESS_COLUMNS
from .models import Post, Publication, PublicationKind, TermKind
from .sections.pages import ENTRY_PAGES, pages_of
from .sites import Site, registry
from .translations import Address, alternates, listing_alternates
from .urls import canonical_url, site_url
from .visibility import on_site

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Posts whose translations a chunk reads at once.
VERSIONS_BATCH = 1000
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>"


@dataclass
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None
    alternates: list[tuple[str, str]] = field(default_factory=list)


def canonical_posts(session: Session, site: Site, now: datetime):
    """Return the visible posts, pages and announcements whose canonical URL is on `site`.

    Oldest first, so that a new post joins the last chunk and earlier chunks keep their URLs.
    """
    # EXISTS rather than a join, so that the database walks the date index in order
    # (ix_post_published_at) instead of sorting the site's publications at each chunk.
    at_home = exists().where(
        Publication.post_id == Post.id,
        Publication.site == site.key,
        Publication.kind == PublicationKind.HOME,
    )
    statement = select(*ADDRESS_COLUMNS).where(at_home, on_site(site, now))
    return statement.order_by(Post.published_at, Post.id)


@dataclass(frozen=True)
class Chunk:
    """One sitemap file of the index: its number (from 1) and the date of its newest change."""

    number: int
    lastmod: datetime | None


def chunks(session: Session, site: Site, now: datetime, size: int) -> list[Chunk]:
    """Return the chunks of a site's sitemap: its posts oldest first, then its listing pages.

    A chunk's lastmod is that of the newest post in it (the listing pages, in the last chunk,
    change with the newest post of the site).
    """
    total = _count(session, site, now)
    listings = listing_count(session, site, now)
    found = []
    for number in range(1, max(1, -(-(total + listings) // size)) + 1):
        start = (number - 1) * size
        window = (
            canonical_posts(session, site, now)
            .with_only_columns(Post.updated_at, Post.published_at)
            .offset(start)
            .limit(size)
            .subquery()
        )
        moments = session.execute(
            select(func.max(window.c.updated_at), func.max(window.c.published_at))
        ).one()
        if start + size > total:
            moments = (*moments, latest_change(session, site, now))
        dated = [_aware(m) for m in moments if m is not None]
        found.append(Chunk(number, max(dated, default=None)))
    return found


def chunk_urls(
    session: Session, site: Site, now: datetime, number: int, size: int
) -> list[SitemapUrl] | None:
    """Return the URLs of one chunk (posts first, then listings), or None past the last one."""
    if number < 1:
        return None
    start = (number - 1) * size
    found = post_urls(session, site, now, start, size)
    if len(found) < size:
        # The listing pages follow the last post: skip those that earlier chunks hold.
        total = start + len(found) if found else _count(session, site, now)
        listings = listing_urls(session, site, now, latest_change(session, site, now))
        skip = max(0, start - total)
        found += listings[skip : skip + size - len(found)]
    return found if found else None


def _count(session: Session, site: Site, now: datetime) -> int:
    posts = canonical_posts(session, site, now).subquery()
    return session.scalar(select(func.count()).select_from(posts)) or 0


def latest_change(session: Session, site: Site, now: datetime) -> datetime | None:
    """Return when the newest of a site's canonical posts last changed (its homes' lastmod)."""
    posts = canonical_posts(session, site, now).order_by(None).subquery()
    moments = session.execute(select(func.max(posts.c.updated_at), func.max(posts.c.published_at)))
    dated = [_aware(m) for m in moments.one() if m is not None]
    return max(dated, default=None)


def _aware(moment: datetime) -> datetime:
    # SQLite returns the aggregate of an aware column as a naive UTC datetime.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def post_urls(session: Session, site: Site, now: datetime, offset: int, limit: int):
    """Return the canonical posts of a site from `offset`, each with its hreflang alternates."""
    connection = session.connection()
    statement = canonical_posts(session, site, now).offset(offset).limit(limit)
    posts = entries.fetch(connection, statement)
    found, sites = [], registry()
    # Their translations a batch at a time, so that a chunk of thousands of posts never holds
    # every version of every post at once.
    for start in range(0, len(posts), VERSIONS_BATCH):
        batch = posts[start : start + VERSIONS_BATCH]
        keys = {p.translation_key for p in batch}
        versions = entries.fetch(connection, translations.groups(keys, now, ADDRESS_COLUMNS))
        entries.complete(connection, batch + versions)
        groups = defaultdict(list)
        for version in versions:
            if version.is_visible(now):
                groups[version.translation_key].append(version)
        for post in batch:
            group = groups[post.translation_key]
            found.append(
                SitemapUrl(
                    canonical_url(post, sites),
                    max(post.updated_at, post.published_at),
                    alternates(group, sites) if len(group) > 1 else [],
                )
            )
    return found


def listing_urls(
    session: Session, site: Site, now: datetime, latest: datetime | None
) -> list[SitemapUrl]:
    """Return a site's homes (dated `latest`), its sections' pages and its term pages, in every
    language of the site."""
    found = []
    for address, languages, lastmod in _listings(session, site, now):
        alternates = listing_alternates(site, address)
        dated = latest if address.endpoint == "public.home" else lastmod
        found += [
            SitemapUrl(
                site_url(site, address.endpoint, language, **address.values), dated, alternates
            )
            for language in languages
        ]
    return found


def listing_count(session: Session, site: Site, now: datetime) -> int:
    """Return how many URLs listing_urls returns, without building them."""
    return sum(len(languages) for _, languages, _ in _listings(session, site, now))


def _listings(session: Session, site: Site, now: datetime):
    """Yield (address, the languages it is listed in, its lastmod) for each listing page."""
    every = site.languages
    yield Address("public.home"), every, None
    for page in pages_of(site):
        yield Address(page.endpoint), every, None
        if page.endpoint in ENTRY_PAGES:
            endpoint, rows = ENTRY_PAGES[page.endpoint]
            for slug, updated_at in session.execute(rows()):
                yield Address(endpoint, {"slug": slug}), every, updated_at
    for kind in (TermKind.CATEGORY, TermKind.TAG):
        for language in site.languages:
            for term in queries.site_terms(site, language, now, kind).run(session).scalars():
                yield Address(f"public.{kind}", {"slug": term.slug}), [language], None


def render(urls: list[SitemapUrl]) -> bytes:
    """Return the sitemap XML of `urls`, written line by line (a chunk of 10,000 URLs as an
    element tree would cost tens of megabytes for a few)."""
    opening = f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}"'
    if not urls:
        return f"{XML_DECLARATION}\n{opening}/>\n".encode()
    lines = [XML_DECLARATION, opening + ">"]
    for url in urls:
        lines.append("  <url>")
        lines.append(f"    <loc>{_text(url.loc)}</loc>")
        if url.lastmod is not None:
            lines.append(f"    <lastmod>{url.lastmod.replace(microsecond=0).isoformat()}</lastmod>")
        for language, href in url.alternates:
            lines.append(
                f'    <xhtml:link rel="alternate" hreflang={_attribute(language)}'
                f" href={_attribute(href)}/>"
            )
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode()


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    return '"' + _text(value).replace('"', "&quot;") + '"'


def render_index(site: Site, found: list[Chunk]) -> bytes:
    """Return the sitemap index XML that lists a site's chunks."""
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for chunk in found:
        entry = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        loc = site_url(site, "public.sitemap_chunk", number=chunk.number)
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = loc
        if chunk.lastmod is not None:
            lastmod = etree.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod")
            lastmod.text = chunk.lastmod.replace(microsecond=0).isoformat()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def robots(site: Site) -> str:
    """Return robots.txt: everything but the desk, and where the sitemap is."""
    return f"User-agent: *\nDisallow: /admin/\n\nSitemap: {site.url}/sitemap.xml\n"
