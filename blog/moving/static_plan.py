"""What a static export holds: every public address of every site, each with a stamp.

The addresses come from the store through the same queries the pages use (queries.py,
translations.py by way of queries.listed_posts), so the export lists what readers can reach
and nothing private. Each address carries a stamp: a digest of the rows its page is made of.
An address whose stamp is the one recorded by the last export is not rendered again; None
would mean "always render".
"""

from __future__ import annotations

import hashlib
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import feeds, queries, sitemaps
from ..comments.models import Comment
from ..config import media_dir
from ..models import (
    DATED_KINDS,
    Kind,
    Post,
    Publication,
    Term,
    TermKind,
    TermName,
    post_term,
)
from ..readerforms.service import shown_signup_slugs
from ..sections.pages import ENTRY_PAGES, FILES, pages_of
from ..sections.queries import sections_state
from ..sites import Site
from ..urls import fingerprinted_name, post_path, site_path

# Query variants of a listing that get a file of their own: ?page=N (N ≥ 2) and the home's
# "no translation" notice, which the language switcher links to.
NOTICE_QUERY = "notice=untranslated"


@dataclass(frozen=True)
class Target:
    """One address to export: a path with an optional query, and what its page depends on."""

    site: Site
    path: str
    query: str = ""
    stamp: str | None = None

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


def host_folder(site: Site) -> str:
    """Return the folder of a site in the export: the host name of its configured URL."""
    return urlsplit(site.url).hostname


def file_name(path: str, query: str = "") -> str:
    """Return the file (relative to the site's folder) that holds the page at path?query.

    An address ending in / is a folder's index.html; a query variant of it is
    index.<name>-<value>.html (index.page-2.html); any other address keeps its name.
    """
    relative = path.lstrip("/")
    if not path.endswith("/"):
        return relative
    variant = "." + query.replace("=", "-") if query else ""
    return f"{relative}index{variant}.html"


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


class Stamps:
    """Digests of the rows each page is made of, read in a few statements for the whole store.

    A translation group's stamp covers its posts (any status: a draft becoming visible
    changes the switcher), their publications and terms, and the announcements of them; an
    announcement's stamp adds its original's group (its link and date follow the original).
    Everything every page shows (menus, terms' names, configuration, templates) is in the
    common stamp, so a change there renders every page again.
    """

    def __init__(self, session: Session, now: datetime):
        rows = session.execute(
            select(
                Post.id,
                Post.translation_key,
                Post.kind,
                Post.version,
                Post.updated_at,
                Post.status,
                Post.published_at,
                Post.deleted_at,
                Post.language,
                Post.slug,
                Post.announces_id,
                Post.pinned,
            ).order_by(Post.id)
        ).all()
        publications = defaultdict(list)
        for post_id, site, kind in session.execute(
            select(Publication.post_id, Publication.site, Publication.kind).order_by(
                Publication.post_id, Publication.site
            )
        ):
            publications[post_id].append((site, kind))
        terms = defaultdict(list)
        for post_id, term_id in session.execute(
            select(post_term.c.post_id, post_term.c.term_id).order_by(
                post_term.c.post_id, post_term.c.term_id
            )
        ):
            terms[post_id].append(term_id)
        # A post's comments are on its page and in its comments feed.
        comments = defaultdict(list)
        for comment in session.execute(
            select(
                Comment.post_id, Comment.id, Comment.status, Comment.parent_id, Comment.html
            ).order_by(Comment.post_id, Comment.id)
        ):
            comments[comment.post_id].append(_digest(*comment))
        members, key_of, announcements, pages = defaultdict(list), {}, defaultdict(list), []
        for row in rows:
            due = row.published_at is not None and row.published_at <= now
            described = (
                *row,
                due,
                tuple(publications[row.id]),
                tuple(terms[row.id]),
                tuple(comments[row.id]),
            )
            members[row.translation_key].append(described)
            key_of[row.id] = row.translation_key
            if row.announces_id is not None:
                announcements[row.announces_id].append(described)
            if row.kind == Kind.PAGE:
                pages.append(described)
        self._group = {}
        for key, posts in members.items():
            announced = [a for p in posts for a in announcements[p[0]]]
            self._group[key] = _digest(posts, announced)
        # A post page's stamp: its group's, and its original's for an announcement (asked
        # again by every listing, feed and sitemap chunk that shows the post).
        self._post = {
            row.id: self._group[row.translation_key]
            + (self._group[key_of[row.announces_id]] if row.announces_id in key_of else "")
            for row in rows
        }
        names = session.execute(
            select(Term.id, Term.kind, Term.slug, Term.parent_id, TermName.language, TermName.name)
            .outerjoin(TermName, TermName.term_id == Term.id)
            .order_by(Term.id, TermName.language)
        ).all()
        config = current_app.config
        self.common = _digest(
            config["BUILD_ID"],
            config["POSTS_PER_PAGE"],
            config["FEED_SIZE"],
            [repr(site) for site in current_app.extensions["sites"]],
            pages,
            names,
        )

    def post(self, post_id: int) -> str:
        """Return a post page's stamp: its group's, and its original's for an announcement."""
        return self._post[post_id]

    def listing(self, *parts: object, post_ids: Iterable[int] = ()) -> str:
        """Return the stamp of a listing: its address, page count and the posts it shows."""
        return _digest(self.common, parts, [self.post(i) for i in post_ids])


def site_targets(session: Session, site: Site, now: datetime, stamps: Stamps) -> Iterator[Target]:
    """Yield every public address of `site` at `now`, each page and feed with its stamp.

    A listing (an archive, a term) names itself in every language of its site (hreflang),
    so one that lists posts in any language is exported in all of them, empty or not.
    """
    per_page = current_app.config["POSTS_PER_PAGE"]
    feed_size = current_app.config["FEED_SIZE"]
    sections = sections_state(session, now) if pages_of(site) else ()
    per_language, links = {}, {}
    # Every (term kind, term slug, post) of the store, read once; each language keeps the rows
    # of the posts it lists (a statement per language would list the site's posts again).
    carried = session.execute(
        select(Term.kind, Term.slug, post_term.c.post_id).join(
            post_term, post_term.c.term_id == Term.id
        )
    ).all()
    for language in site.languages:
        listed = (
            queries.listed_posts(site, language, now)
            .with_only_columns(Post.id, Post.kind, Post.slug, Post.published_at, Post.pinned)
            .run(session)
            .all()
        )
        archives, terms = defaultdict(list), defaultdict(list)
        for row in listed:
            when = row.published_at
            archives[("public.archive_month", (("year", when.year), ("month", when.month)))].append(
                row.id
            )
            archives[("public.archive_year", (("year", when.year),))].append(row.id)
        order = {row.id: i for i, row in enumerate(listed)}
        for kind, slug, post_id in carried:
            if post_id in order:
                terms[(f"public.{kind}", (("slug", slug),))].append(post_id)
        for ids in terms.values():
            ids.sort(key=order.__getitem__)
        # What the categories' index counts: each term's listed posts.
        links[language] = sorted(terms.items())
        per_language[language] = (listed, archives, terms)
    all_archives = sorted({key for _, archives, _ in per_language.values() for key in archives})
    all_terms = sorted({key for _, _, terms in per_language.values() for key in terms})
    for language, (listed, archives, terms) in per_language.items():

        def path(endpoint: str, _language: str = language, **values) -> str:
            return site_path(site, endpoint, _language, **values)

        ids = [row.id for row in listed]
        # The home lists the same posts, pinned ones first (queries.home_posts).
        home_ids = [row.id for row in listed if row.pinned] + [
            row.id for row in listed if not row.pinned
        ]
        yield from _listing(stamps, site, path("public.home"), home_ids, per_page)
        # Every page links its OpenSearch description; the search page itself is not
        # exported (a static site cannot answer queries).
        opensearch = path("public.opensearch")
        yield Target(site, opensearch, "", _digest(stamps.common, opensearch))
        # The archive's and the categories' indexes count every listed post by month and by
        # term: they show no post itself, so an edit that moves none of them leaves them be.
        months = [(row.id, row.published_at.year, row.published_at.month) for row in listed]
        index = path("public.archive_index")
        yield Target(site, index, "", _digest(stamps.common, index, months))
        index = path("public.category_index")
        yield Target(site, index, "", _digest(stamps.common, index, ids, links[language]))
        if len(site.languages) > 1:
            home = path("public.home")
            stamp = stamps.listing(home, NOTICE_QUERY, post_ids=home_ids[:per_page])
            yield Target(site, home, NOTICE_QUERY, stamp)
        for format in feeds.FORMATS:
            feed = path("public.feed", format=format)
            yield Target(site, feed, "", stamps.listing(feed, post_ids=ids[:feed_size]))
        for row in listed:
            if row.kind in DATED_KINDS:
                post = post_path(row, site, language)
                yield Target(site, post, "", _digest(stamps.common, post, stamps.post(row.id)))
                if site.comments and row.kind == Kind.POST:
                    # Its page links the feed of its comments (comments.page).
                    feed = post + "comments.atom"
                    yield Target(site, feed, "", _digest(stamps.common, feed, stamps.post(row.id)))
        for endpoint, values in all_archives:
            listing = path(endpoint, **dict(values))
            yield from _listing(
                stamps, site, listing, archives.get((endpoint, values), []), per_page
            )
        for endpoint, values in all_terms:
            term_ids = terms.get((endpoint, values), [])
            yield from _listing(stamps, site, path(endpoint, **dict(values)), term_ids, per_page)
            for format in feeds.FORMATS:
                feed = path(f"{endpoint}_feed", **dict(values), format=format)
                yield Target(site, feed, "", stamps.listing(feed, post_ids=term_ids[:feed_size]))
        # The sections' pages and files: stamped by their rows and the talks still upcoming.
        for page in pages_of(site):
            for endpoint in (page.endpoint, *FILES.get(page.endpoint, ())):
                section = path(endpoint)
                yield Target(site, section, "", _digest(stamps.common, section, sections))
            if page.endpoint in ENTRY_PAGES:
                endpoint, rows = ENTRY_PAGES[page.endpoint]
                for slug, _updated_at in session.execute(rows()):
                    entry = path(endpoint, slug=slug)
                    yield Target(site, entry, "", _digest(stamps.common, entry, sections))
        menu_slugs = set()
        for page_id, slug in (
            queries.menu_pages(site, language, now)
            .with_only_columns(Post.id, Post.slug)
            .run(session)
        ):
            page = path("public.page", slug=slug)
            menu_slugs.add(slug)
            yield Target(site, page, "", _digest(stamps.common, page, stamps.post(page_id)))
        # The readers' forms (never cached live: rendered every time): the contact page when
        # no page of the menu is it already, and the sign-up forms readers see.
        if site.contact and "contact" not in menu_slugs:
            yield Target(site, path("public.contact"), "", None)
        for slug in session.scalars(shown_signup_slugs(site.key)):
            yield Target(site, path("public.signup", slug=slug), "", None)
    yield from _sitemap_targets(session, site, now, stamps)
    yield Target(site, "/robots.txt", "", _digest(stamps.common, "robots"))


def _sitemap_targets(session: Session, site: Site, now: datetime, stamps: Stamps):
    """Yield the sitemap index and its chunks, each stamped by what it lists.

    The index shows each chunk's number and date; a chunk, the posts of its window (their
    groups' stamps cover addresses, dates and alternates) and, past the last post, the
    listing pages: the homes, dated by the site's latest change, and the terms listed.
    """
    size = current_app.config["SITEMAP_CHUNK_SIZE"]
    found = sitemaps.chunks(session, site, now, size)
    yield Target(site, "/sitemap.xml", "", _digest(stamps.common, "sitemap", found))
    canonical = sitemaps.canonical_posts(session, site, now).subquery()
    ids = list(session.scalars(select(canonical.c.id)))
    listings = None
    for chunk in found:
        start = (chunk.number - 1) * size
        parts = [stamps.post(post_id) for post_id in ids[start : start + size]]
        if start + size > len(ids):
            if listings is None:
                listings = _digest(
                    sitemaps.latest_change(session, site, now),
                    [
                        [
                            t.slug
                            for t in queries.site_terms(site, language, now, kind)
                            .run(session)
                            .scalars()
                        ]
                        for kind in (TermKind.CATEGORY, TermKind.TAG)
                        for language in site.languages
                    ],
                )
            parts.append(listings)
        stamp = _digest(stamps.common, chunk.number, parts)
        yield Target(site, f"/sitemap-{chunk.number}.xml", "", stamp)


def _listing(
    stamps: Stamps,
    site: Site,
    path: str,
    ids: list[int],
    per_page: int,
) -> Iterator[Target]:
    """Yield a paginated listing's pages (page 1 at the bare address)."""
    pages = max(1, math.ceil(len(ids) / per_page))
    for page in range(1, pages + 1):
        shown = ids[(page - 1) * per_page : page * per_page]
        stamp = stamps.listing(path, page, pages, post_ids=shown)
        yield Target(site, path, "" if page == 1 else f"page={page}", stamp)


def file_targets(site: Site, static_folder: str) -> Iterator[Target]:
    """Yield the static and media files a site serves, each stamped by its size and time."""
    for prefix, folder in (("/static/", Path(static_folder)), ("/media/", media_dir())):
        for path in _files(folder):
            relative = path.relative_to(folder).as_posix()
            status = path.stat()
            stamp = _digest(status.st_size, status.st_mtime_ns)
            yield Target(site, prefix + relative, "", stamp)
            if prefix == "/static/" and (named := fingerprinted_name(relative)) != relative:
                # Pages link the fingerprinted name (urls.py); the plain name keeps working.
                yield Target(site, prefix + named, "", stamp)


def _files(folder: Path) -> Iterator[Path]:
    """Yield the files under `folder`, leaving out dot files (the app does not serve them)."""
    if not folder.is_dir():
        return
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root, name)
