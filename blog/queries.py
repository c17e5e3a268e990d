"""What a site lists in a language: functions that return Select statements.

Views only execute or paginate these. The fallback policy of a site is
applied here and nowhere else, so listings, archives, feeds and sitemaps
agree on what a reader of one language sees.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, case, exists, or_, select
from sqlalchemy.orm import aliased, lazyload

from .models import (
    DATED_KINDS,
    Kind,
    Post,
    Publication,
    SlugHistory,
    Status,
    Term,
    TermKind,
    post_term,
)
from .sites import Site


def visible(now: datetime, entity=Post):
    """Return the condition "published, due and not in the trash" for a Post entity."""
    return and_(
        entity.status == Status.PUBLISHED,
        entity.published_at <= now,
        entity.deleted_at.is_(None),
    )


def on_site(site: Site, now: datetime, entity=Post):
    """Return the condition "visible to readers of `site` at `now`" for a Post entity.

    An announcement is visible only while the post it announces is.
    """
    original = aliased(Post)
    return and_(
        visible(now, entity),
        exists().where(Publication.post_id == entity.id, Publication.site == site.key),
        or_(
            entity.announces_id.is_(None),
            exists().where(original.id == entity.announces_id, visible(now, original)),
        ),
    )


def _language_rank(site: Site, entity):
    return case({lang: i for i, lang in enumerate(site.languages)}, value=entity.language, else_=99)


def in_language(site: Site, language: str, now: datetime, entity=Post):
    """Return the condition "listed for readers of `language`", by the site's fallback policy.

    With `hide`, only posts written in `language`. With `show`, also a post in
    another language of the site when its translation group has no version in
    `language` on this site; of several such versions, the one whose language
    comes first in the site's list.
    """
    own = entity.language == language
    if site.fallback == "hide" or len(site.languages) == 1:
        return own
    other = aliased(Post)
    translated = exists().where(
        other.translation_key == entity.translation_key,
        other.language == language,
        on_site(site, now, other),
    )
    preferred = exists().where(
        other.translation_key == entity.translation_key,
        other.id != entity.id,
        _language_rank(site, other) < _language_rank(site, entity),
        on_site(site, now, other),
    )
    return or_(own, and_(entity.language.in_(site.languages), ~translated, ~preferred))


def listed_posts(site: Site, language: str, now: datetime) -> Select[tuple[Post]]:
    """Return the dated posts a site lists in a language, newest first."""
    return (
        select(Post)
        .where(Post.kind.in_(DATED_KINDS), on_site(site, now), in_language(site, language, now))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def home_posts(site: Site, language: str, now: datetime) -> Select[tuple[Post]]:
    """Return what a site's home page lists: pinned posts first, then the newest."""
    return (
        listed_posts(site, language, now)
        .order_by(None)
        .order_by(Post.pinned.desc(), Post.published_at.desc(), Post.id.desc())
    )


def posts_in_term(site: Site, language: str, now: datetime, term: Term) -> Select[tuple[Post]]:
    return listed_posts(site, language, now).where(Post.terms.any(Term.id == term.id))


def posts_between(
    site: Site, language: str, now: datetime, start: datetime, end: datetime
) -> Select[tuple[Post]]:
    return listed_posts(site, language, now).where(
        Post.published_at >= start, Post.published_at < end
    )


def menu_pages(site: Site, language: str, now: datetime) -> Select[tuple[Post]]:
    """Return the pages in a site's menu for readers of a language."""
    return (
        select(Post)
        .where(Post.kind == Kind.PAGE, on_site(site, now), in_language(site, language, now))
        .order_by(Post.menu_order.is_(None), Post.menu_order, Post.title)
        .options(lazyload(Post.terms))
    )


def by_slug(site: Site, slug: str, now: datetime, kinds: tuple[str, ...]) -> Select[tuple[Post]]:
    """Return the visible posts of a site with this slug, in the site's language order."""
    return (
        select(Post)
        .where(Post.kind.in_(kinds), Post.slug == slug, on_site(site, now))
        .order_by(_language_rank(site, Post))
    )


def translations(post: Post, now: datetime) -> Select[tuple[Post]]:
    """Return every visible post of a post's translation group, itself included."""
    return (
        select(Post)
        .where(Post.translation_key == post.translation_key, visible(now))
        .order_by(Post.id)
        .options(lazyload(Post.terms))
    )


def moved(site: Site, slug: str, now: datetime, kinds: tuple[str, ...]) -> Select[tuple[Post]]:
    """Return the visible posts of a site that had this slug before, most recent change first."""
    return (
        select(Post)
        .join(SlugHistory, SlugHistory.post_id == Post.id)
        .where(SlugHistory.slug == slug, Post.kind.in_(kinds), on_site(site, now))
        .order_by(SlugHistory.changed_at.desc(), SlugHistory.id.desc())
        .limit(1)
    )


def gone(site: Site, slug: str, kinds: tuple[str, ...]) -> Select[tuple[int]]:
    """Return an announcement of this site with this slug whose announced post is no more."""
    return select(Post.id).where(
        Post.kind == Kind.ANNOUNCEMENT,
        Post.slug == slug,
        Post.kind.in_(kinds),
        Post.deleted_at.is_(None),
        Post.status == Status.PUBLISHED,
        exists().where(Publication.post_id == Post.id, Publication.site == site.key),
    )


def term_by_slug(kind: str, slug: str) -> Select[tuple[Term]]:
    return select(Term).where(Term.kind == kind, Term.slug == slug)


def site_terms(site: Site, language: str, now: datetime, kind: str = TermKind.CATEGORY):
    """Return the terms of a kind that at least one post listed here carries."""
    listed = listed_posts(site, language, now).with_only_columns(Post.id).order_by(None)
    return (
        select(Term)
        .where(
            Term.kind == kind,
            Term.id.in_(select(post_term.c.term_id).where(post_term.c.post_id.in_(listed))),
        )
        .order_by(Term.slug)
    )


def desk_posts(
    *,
    site: str | None = None,
    language: str | None = None,
    status: str | None = None,
    category: int | None = None,
    search: str | None = None,
    kind: str = Kind.POST,
    now: datetime,
) -> Select[tuple[Post]]:
    """Return the posts of the desk's list, filtered, newest first (trash excluded)."""
    kinds = DATED_KINDS if kind == Kind.POST else (kind,)
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
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Post.title.ilike(f"%{escaped}%", escape="\\"))
    return statement.order_by(
        Post.published_at.is_(None).desc(), Post.published_at.desc(), Post.id.desc()
    )


def group_languages(keys: list[str]) -> Select:
    """Return (translation key, language, id, status) of every post in these groups."""
    return select(Post.translation_key, Post.language, Post.id, Post.status).where(
        Post.translation_key.in_(keys), Post.deleted_at.is_(None)
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
