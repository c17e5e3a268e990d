"""The store's reads as functions that return Select statements; views only execute them.

The public ones select entries.COLUMNS, for the read model (entries.fetch); the desk's
select ORM posts.

What a site lists in a language applies the site's fallback policy through
`translations.in_language`, so listings, archives, feeds and sitemaps agree on
what a reader of one language sees; who may see a post at all is
`visibility.on_site`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased, lazyload, selectinload

from .entries import COLUMNS, TermEntry
from .models import (
    DATED_KINDS,
    Kind,
    Post,
    Publication,
    SlugHistory,
    Status,
    Term,
    TermKind,
    TermName,
    UTCDateTime,
    post_term,
)
from .sites import Site
from .translations import in_language
from .visibility import NOW, Bound, built, of_kinds, on_site, visible

# A listing's own publication row: the site's copy of each post's time and pin (migration 0016).
_HERE = aliased(Publication, name="listing")


def _listed(site: Site, language: str, *first, only: bool = False) -> Select:
    """Build the dated posts a site lists in a language, newest first, at NOW (entries.COLUMNS).

    `first`: conditions to test before the others, cheap ones that rule out most posts, since
    the database tests each post it walks in the order they are written. `only`: the reader
    hides the fallbacks (Reading.only), whatever the site's policy.
    """
    # Walks the site's own publications by date (ix_publication_listing, ix_publication_home
    # for the home) and stops after one page: the kind and the language are said so that no
    # index of post draws the planner (unindexed).
    here = _HERE
    return (
        select(*COLUMNS)
        .join(here, and_(here.post_id == Post.id, here.site == site.key))
        .where(
            *first,
            here.published_at <= NOW,
            of_kinds(DATED_KINDS),
            on_site(site, NOW),
            in_language(site, language, NOW, only=only),
        )
        .order_by(here.published_at.desc(), here.post_id.desc())
    )


def listed_posts(site: Site, language: str, now: datetime) -> Bound:
    """Return the dated posts a site lists in a language, newest first."""
    return Bound(built(site, ("listed", language), lambda: _listed(site, language)), {"now": now})


def home_posts(site: Site, language: str, now: datetime, only: bool = False) -> Bound:
    """Return what a site's home page lists: pinned posts first, then the newest."""
    statement = built(
        site,
        ("home", language, only),
        lambda: (
            _listed(site, language, only=only)
            .order_by(None)
            .order_by(_HERE.pinned.desc(), _HERE.published_at.desc(), _HERE.post_id.desc())
        ),
    )
    return Bound(statement, {"now": now})


def posts_in_term(
    site: Site, language: str, now: datetime, term: Term | TermEntry, only: bool = False
) -> Bound:
    """Return the dated posts of a term a site lists in a language, newest first.

    Walks the term's own posts by date (ix_post_term_listing, post_term.published_at being
    the post's, kept by the database) and stops after one page, whatever the archive's size.
    """

    def build():
        return (
            select(*COLUMNS)
            .join(post_term, post_term.c.post_id == Post.id)
            .where(
                post_term.c.term_id == bindparam("term_id"),
                post_term.c.published_at <= NOW,
                of_kinds(DATED_KINDS),
                on_site(site, NOW),
                in_language(site, language, NOW, only=only),
            )
            .order_by(post_term.c.published_at.desc(), post_term.c.post_id.desc())
        )

    statement = built(site, ("term", language, only), build)
    return Bound(statement, {"now": now, "term_id": term.id})


def posts_between(
    site: Site, language: str, now: datetime, start: datetime, end: datetime, only: bool = False
) -> Bound:
    """Return the dated posts a site lists in a language from `start` to `end`, newest first."""

    def build():
        return _listed(site, language, only=only).where(
            _HERE.published_at >= bindparam("start", type_=UTCDateTime),
            _HERE.published_at < bindparam("end", type_=UTCDateTime),
        )

    statement = built(site, ("between", language, only), build)
    return Bound(statement, {"now": now, "start": start, "end": end})


def archive_months(site: Site, language: str, now: datetime, only: bool = False) -> Bound:
    """Return (year, month, count) of the dated posts a site lists in a language, newest first.

    The same conditions as the month pages (posts_between), so that each count is what its
    month's page lists; months in UTC, as those pages' bounds are. It walks the site's own
    publications (ix_publication_listing): the view keeps its answer per state of the store.
    """

    def build():
        year = func.extract("year", _HERE.published_at)
        month = func.extract("month", _HERE.published_at)
        return (
            _listed(site, language, only=only)
            .with_only_columns(year, month, func.count())
            .group_by(year, month)
            .order_by(None)
            .order_by(year.desc(), month.desc())
        )

    return Bound(built(site, ("months", language, only), build), {"now": now})


def term_counts(
    site: Site, language: str, now: datetime, kind: str = TermKind.CATEGORY, only: bool = False
) -> Bound:
    """Return (term id, count) of the terms of a kind among the dated posts a site lists in
    a language (what each term's page lists), for the terms that have any.

    It walks the site's own publications (ix_publication_listing) and their terms by post
    (the post_term primary key): the view keeps its answer per state of the store.
    """

    def build():
        return (
            _listed(site, language, only=only)
            .with_only_columns(post_term.c.term_id, func.count())
            .join(post_term, post_term.c.post_id == Post.id)
            .join(Term, Term.id == post_term.c.term_id)
            .where(Term.kind == kind)
            .group_by(post_term.c.term_id)
            .order_by(None)
        )

    return Bound(built(site, ("term_counts", language, kind, only), build), {"now": now})


def menu_pages(site: Site, language: str, now: datetime) -> Bound:
    """Return the pages in a site's menu for readers of a language."""

    def build():
        return (
            select(*COLUMNS)
            .where(Post.kind == Kind.PAGE, on_site(site, NOW), in_language(site, language, NOW))
            .order_by(Post.menu_order.is_(None), Post.menu_order, Post.title)
        )

    return Bound(built(site, ("menu", language), build), {"now": now})


def announcements_of(post_id: int, now: datetime) -> Bound:
    """Return the visible announcements of a post (itself visible), oldest first."""
    return Bound(_ANNOUNCEMENTS, {"post_id": post_id, "now": now})


_ANNOUNCEMENTS = (
    select(*COLUMNS)
    .where(Post.announces_id == bindparam("post_id"), visible(NOW))
    .order_by(Post.id)
)


def moved(site: Site, slug: str, now: datetime, kinds: tuple[str, ...]) -> Bound:
    """Return the visible posts of a site that had this slug before, most recent change first."""

    def build():
        return (
            select(*COLUMNS)
            .join(SlugHistory, SlugHistory.post_id == Post.id)
            .where(SlugHistory.slug == bindparam("slug"), of_kinds(kinds), on_site(site, NOW))
            .order_by(SlugHistory.changed_at.desc(), SlugHistory.id.desc())
            .limit(1)
        )

    return Bound(built(site, ("moved", kinds), build), {"now": now, "slug": slug})


def gone(site: Site, slug: str, kinds: tuple[str, ...]) -> Select[tuple[int]]:
    """Return an announcement of this site with this slug whose announced post is no more."""
    return select(Post.id).where(
        of_kinds({Kind.ANNOUNCEMENT} & set(kinds)),
        # Always true of a post on the site; it lets the (language, slug) index find it.
        Post.language.in_(site.languages),
        Post.slug == slug,
        Post.deleted_at.is_(None),
        Post.status == Status.PUBLISHED,
        exists().where(Publication.post_id == Post.id, Publication.site == site.key),
    )


def term_by_slug(kind: str, slug: str) -> Select[tuple[Term]]:
    return select(Term).where(Term.kind == kind, Term.slug == slug)


def term_named(kind: str, name: str) -> Select[tuple[Term]]:
    """Return the term of a kind that has this name in some language (case ignored)."""
    return (
        select(Term)
        .join(TermName, TermName.term_id == Term.id)
        .where(Term.kind == kind, func.lower(TermName.name) == name.strip().lower())
        .order_by(Term.id)
        .limit(1)
    )


def site_terms(site: Site, language: str, now: datetime, kind: str = TermKind.CATEGORY):
    """Return the terms of a kind that at least one post listed here carries."""

    # Asked per term, from the term's own posts (ix_post_term_listing): it stops at the first
    # one listed, instead of reading every listed post to collect their terms.
    def build():
        carried = (
            select(post_term.c.post_id)
            .join(Post, Post.id == post_term.c.post_id)
            .where(
                post_term.c.term_id == Term.id,
                post_term.c.published_at <= NOW,
                of_kinds(DATED_KINDS),
                on_site(site, NOW),
                in_language(site, language, NOW),
            )
        )
        return select(Term).where(Term.kind == kind, carried.exists()).order_by(Term.slug)

    return Bound(built(site, ("terms", language, kind), build), {"now": now})


# The desk list's orders, by the value of ?sort= ("-" first: descending).
DESK_ORDERS = ("-date", "date", "title", "-title", "-updated", "updated")


def _desk_order(sort: str):
    column = {"date": Post.published_at, "title": Post.title, "updated": Post.updated_at}[
        sort.lstrip("-")
    ]
    direction = column.desc() if sort.startswith("-") else column.asc()
    # Undated drafts first when newest come first; the id breaks ties, so pages never overlap.
    if sort.lstrip("-") == "date":
        return (Post.published_at.is_(None).desc() if sort.startswith("-") else
                Post.published_at.is_(None).asc(), direction, Post.id.desc())  # fmt: skip
    return (direction, Post.id.desc())


def _words(search: str) -> list[str]:
    """Return the words of a search, each a LIKE pattern matched anywhere (escaped)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return [f"%{word}%" for word in escaped.split()[:8]]


def desk_posts(
    *,
    site: str | None = None,
    language: str | None = None,
    status: str | None = None,
    category: int | None = None,
    search: str | None = None,
    kind: str = Kind.POST,
    only_kind: str | None = None,
    outdated_only: bool = False,
    sort: str = "-date",
    now: datetime,
) -> Select[tuple[Post]]:
    """Return the posts of the desk's list, filtered, searched and sorted (trash excluded).

    The search is full text: every word must appear in the title, the summary or the text
    (case ignored, anywhere in a word).
    """
    kinds = DATED_KINDS if kind == Kind.POST else (kind,)
    if only_kind in kinds:
        kinds = (only_kind,)
    statement = select(Post).where(Post.kind.in_(kinds), Post.deleted_at.is_(None))
    if site:
        statement = statement.where(
            exists().where(Publication.post_id == Post.id, Publication.site == site)
        )
    if language:
        statement = statement.where(Post.language == language)
    if status == "draft":
        statement = statement.where(Post.status == Status.DRAFT)
    elif status == "scheduled":
        statement = statement.where(Post.status == Status.PUBLISHED, Post.published_at > now)
    elif status == "published":
        statement = statement.where(Post.status == Status.PUBLISHED, Post.published_at <= now)
    if category:
        statement = statement.where(Post.terms.any(Term.id == category))
    if outdated_only:
        statement = statement.where(outdated())
    for pattern in _words(search or ""):
        statement = statement.where(
            or_(*(c.ilike(pattern, escape="\\") for c in (Post.title, Post.summary, Post.source)))
        )
    return statement.order_by(*_desk_order(sort if sort in DESK_ORDERS else "-date"))


# What each row of the desk's list shows beyond the post: loaded with the page's posts.
DESK_LOADING = (
    selectinload(Post.announces).selectinload(Post.group),
    selectinload(Post.translated_from),
)


def scheduled_between(start: datetime, end: datetime, now: datetime) -> Select[tuple[Post]]:
    """Return the posts due between `start` and `end` and not yet published, by time (desk)."""
    return (
        select(Post)
        .where(
            Post.status == Status.PUBLISHED,
            Post.deleted_at.is_(None),
            Post.published_at > now,
            Post.published_at >= start,
            Post.published_at < end,
        )
        .order_by(Post.published_at, Post.id)
        .options(lazyload(Post.terms))
    )


def outdated(entity=Post):
    """Return the condition "a translation whose original's text changed since"."""
    original = aliased(Post)
    return (
        select(original.id)
        .where(
            original.id == entity.translated_from_id,
            original.deleted_at.is_(None),
            original.text_version > entity.translated_from_version,
        )
        .exists()
    )


def outdated_translations() -> Select[tuple[Post]]:
    """Return the translations to update (trash excluded), the longest outdated first."""
    return (
        select(Post)
        .where(Post.translated_from_id.is_not(None), Post.deleted_at.is_(None), outdated())
        .order_by(Post.id)
    )


def group_languages(group_keys: list[str]) -> Select:
    """Return (group key, language, id, status) of every post of these translation groups,
    the trash left out."""
    return select(Post.translation_key, Post.language, Post.id, Post.status).where(
        Post.translation_key.in_(group_keys), Post.deleted_at.is_(None)
    )


def trashed_posts() -> Select[tuple[Post]]:
    return select(Post).where(Post.deleted_at.is_not(None)).order_by(Post.deleted_at.desc())


def site_pages(site: str) -> Select[tuple[Post]]:
    """Return the pages of a site in menu order, whatever their status, for the desk."""
    return (
        select(Post)
        .where(
            Post.kind == Kind.PAGE,
            Post.deleted_at.is_(None),
            exists().where(Publication.post_id == Post.id, Publication.site == site),
        )
        .order_by(Post.menu_order.is_(None), Post.menu_order, Post.language, Post.title)
    )
