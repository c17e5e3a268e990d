"""Translation groups and the fallback policy: the one home of what a reader of a language gets.

A translation group is the set of posts that are the same text in different languages (they
share `Post.translation_key`, at most one post per language). A site's fallback policy says
what its readers of one language get of a group that has no version in their language:

- `hide`: nothing; the group is not listed and its address in that language is a 404;
- `show`: the version whose language comes first in the site's list, with a notice.

Everything that depends on that decision asks this module: what a site lists in a language
(the SQL half, used by listings, archives, term pages, feeds and sitemaps), which post one
address shows (`choose`), the language switcher, the links to the other sites, hreflang
alternates, and the desk's copy of a post for translation.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import Connection, Select, and_, bindparam, case, or_, select
from sqlalchemy.orm import aliased

from . import entries
from .entries import COLUMNS, Entry
from .models import Post, PostFacts
from .sites import Site, SiteRegistry
from .urls import canonical_url, post_path, post_url, site_path, site_url
from .visibility import NOW, Bound, built, of_kinds, on_site, row_by_row, unindexed, visible


class Notice(enum.StrEnum):
    """What a post page tells a reader about the language of the text they get."""

    NONE = "none"
    # The group has no version in the reader's language: this is another one.
    ONLY_IN = "only_in"
    # The reader's language exists, but on another site: say where.
    ELSEWHERE = "elsewhere"


@dataclass(frozen=True)
class Choice:
    """What one address shows a reader: a post (with a notice), a redirect, or nothing."""

    post: Entry | None = None
    redirect: str | None = None
    notice: Notice = Notice.NONE
    # With Notice.ELSEWHERE: the version in the reader's language, on its own site.
    elsewhere: Entry | None = None
    # The visible posts of the shown post's group, oldest first.
    versions: Sequence[Entry] = ()


@dataclass
class LanguageLink:
    language: str
    url: str
    current: bool = False
    missing: bool = False  # no translation: the link leads to that language's home
    elsewhere: Site | None = None  # the translation lives on another site


@dataclass
class SiteLink:
    site: Site
    url: str
    language: str
    # The link leads to the other site's bare root, which sends each reader to the language
    # they chose there (or their browser's): no hreflang can be promised.
    negotiated: bool = False


@dataclass(frozen=True)
class Address:
    """A public page by endpoint and URL values (the language aside), to offer in each language."""

    endpoint: str
    values: dict = field(default_factory=dict)


def _language_rank(site: Site, entity):
    return case({lang: i for i, lang in enumerate(site.languages)}, value=entity.language, else_=99)


def in_language(site: Site, language: str, now: datetime, entity=Post, only: bool = False):
    """Return the condition "listed for readers of `language`", by the site's fallback policy.

    With `hide`, only posts written in `language`. With `show`, also a post in
    another language of the site when its translation group has no version in
    `language` on this site; of several such versions, the one whose language
    comes first in the site's list. `only`: the reader chose to hide those
    (Reading.only), as `hide` would.
    """
    # Not through an index on the language: a listing walks the date order (see unindexed).
    own = unindexed(entity.language) == language
    if only or not site.shows_fallbacks:
        return own
    other = aliased(Post)
    translated = row_by_row(
        select(other.id).where(
            other.translation_key == entity.translation_key,
            other.language == language,
            on_site(site, now, other),
        )
    )
    preferred = row_by_row(
        select(other.id).where(
            other.translation_key == entity.translation_key,
            other.id != entity.id,
            _language_rank(site, other) < _language_rank(site, entity),
            on_site(site, now, other),
        )
    )
    in_site = unindexed(entity.language).in_(site.languages)
    return or_(own, and_(in_site, ~translated, ~preferred))


_GROUP = (
    select(*COLUMNS).where(Post.translation_key == bindparam("key"), visible(NOW)).order_by(Post.id)
)


def group(post: PostFacts, now: datetime) -> Bound:
    """Return every visible post of a post's translation group, itself included, oldest first."""
    return Bound(_GROUP, {"key": post.translation_key, "now": now})


def groups(group_keys: Sequence[str], now: datetime, columns=COLUMNS) -> Select:
    """Return the visible posts of several translation groups (by key), group by group, oldest
    first (`columns`: entries.COLUMNS or ADDRESS_COLUMNS)."""
    # Ordered as ix_post_translation_key is (key, then id), so that the index serves it.
    return (
        select(*columns)
        .where(Post.translation_key.in_(group_keys), visible(now))
        .order_by(Post.translation_key, Post.id)
    )


def by_slug(site: Site, slug: str, now: datetime, kinds: tuple[str, ...]) -> Bound:
    """Return the visible posts of a site with this slug, in the site's language order."""

    def build():
        return (
            select(*COLUMNS)
            .where(
                of_kinds(kinds),
                # Always true of a post on the site; it lets the (language, slug) index find it.
                Post.language.in_(site.languages),
                Post.slug == bindparam("slug"),
                on_site(site, NOW),
            )
            .order_by(_language_rank(site, Post))
        )

    return Bound(built(site, ("by_slug", kinds), build), {"now": now, "slug": slug})


def choose(
    connection: Connection,
    site: Site,
    language: str,
    slug: str,
    kinds: tuple[str, ...],
    now: datetime,
    year_month: tuple[int, int] | None = None,
    with_terms: bool = True,
) -> Choice:
    """Decide what the address of `slug` on `site` shows a reader of `language`.

    The post in that language; else, by the fallback policy, a redirect to the address of
    the version the site lists for that reader, or that version with its notice; else
    nothing (Choice.post is None: the caller answers 301, 410 or 404). A post asked at
    another date's address redirects to its own. The chosen post comes with its terms
    (unless `with_terms` is false: its comments' feed shows none), and every version with
    its sites (entries.complete).
    """
    candidates = entries.fetch(connection, by_slug(site, slug, now, kinds))
    if not candidates:
        return Choice()
    found = next((p for p in candidates if p.language == language), candidates[0])
    # The group holds `found` (visible): the versions are what the page works with.
    versions = entries.fetch(connection, group(found, now))
    found = next(p for p in versions if p.id == found.id)
    if found.language != language:
        entries.complete(connection, versions)
        here = [p for p in versions if p.is_on(site.key) and site.accepts(p.language)]
        # Serve only the version this site lists for readers of `language`: the translation
        # in that language, else the one whose language comes first in the site's list.
        preferred = next((p for p in here if p.language == language), None)
        if preferred is None and site.fallback == "show":
            preferred = min(here, key=lambda p: site.languages.index(p.language))
        if preferred is None:
            return Choice()
        if preferred.id != found.id:
            return Choice(redirect=post_path(preferred, site, language))
        entries.complete(connection, (), terms=[found] if with_terms else ())
    else:
        entries.complete(connection, versions, terms=[found] if with_terms else ())
    if year_month and year_month != (found.published_at.year, found.published_at.month):
        return Choice(redirect=post_path(found, site, language))
    if found.language == language:
        return Choice(post=found, versions=versions)
    elsewhere = next((p for p in versions if p.language == language), None)
    notice = Notice.ELSEWHERE if elsewhere is not None else Notice.ONLY_IN
    return Choice(post=found, notice=notice, elsewhere=elsewhere, versions=versions)


def switch_url(site: Site, language: str, target: str) -> str:
    """Return the address that records a reader's choice of `language`, then shows `target`."""
    query = urlencode({"next": target})
    return site_path(site, "public.switch_language", code=language) + "?" + query


def list_switcher(site: Site, language: str, address: Address) -> list[LanguageLink]:
    """Offer the same listing page in each language of the site."""
    if len(site.languages) < 2:
        return []
    return [
        LanguageLink(
            lang,
            switch_url(site, lang, site_path(site, address.endpoint, lang, **address.values)),
            current=lang == language,
        )
        for lang in site.languages
    ]


def post_switcher(
    sites: SiteRegistry, site: Site, language: str, versions: Sequence[PostFacts]
) -> list[LanguageLink]:
    """Offer each language: its translation here, else on its home site, else that home page."""
    if len(site.languages) < 2:
        return []
    by_language = {p.language: p for p in versions}
    links = []
    for lang in site.languages:
        version = by_language.get(lang)
        if lang == language:
            links.append(LanguageLink(lang, "", current=True))
        elif version is not None and version.is_on(site.key):
            links.append(LanguageLink(lang, switch_url(site, lang, post_path(version, site))))
        elif version is not None:
            home = sites[version.home_site]
            links.append(LanguageLink(lang, canonical_url(version), elsewhere=home))
        else:
            home = (
                site_path(site, "public.home", lang) + "?" + urlencode({"notice": "untranslated"})
            )
            links.append(LanguageLink(lang, switch_url(site, lang, home), missing=True))
    return links


def other_site_links(
    sites: SiteRegistry,
    site: Site,
    language: str,
    post: PostFacts | None,
    versions: Sequence[PostFacts],
) -> list[SiteLink]:
    """Link each other site at the same text when it appears there, else at its home.

    The home in the reader's language; but a reader of a site with one language chose none
    here: the link goes to the other site's root, which remembers the language they chose
    there (book site → blog after reading it in Italian: the Italian home).
    """
    links = []
    for other in sites.others(site):
        reading = other.reading_language(language)
        there = [p for p in (post, *versions) if p is not None and p.is_on(other.key)]
        # The reader's language first, then the post's own, then any version on that site.
        there.sort(key=lambda p: (p.language != reading, p is not post))
        if there and other.accepts(there[0].language):
            url = post_url(there[0], other, there[0].language)
            links.append(SiteLink(other, url, there[0].language))
        elif len(site.languages) == 1 and other.language_prefix and len(other.languages) > 1:
            links.append(SiteLink(other, other.url + "/", reading, negotiated=True))
        else:
            links.append(SiteLink(other, site_url(other, "public.home", reading), reading))
    return links


def alternates(
    versions: Sequence[PostFacts], sites: SiteRegistry | None = None
) -> list[tuple[str, str]]:
    """Return (hreflang, URL) for each translation's canonical page, plus x-default.

    `versions` are the visible posts of one translation group, oldest first.
    x-default is the group's original (its first post), so every page of the
    group names the same one and the set stays reciprocal.
    """
    pairs = [(p.language, canonical_url(p, sites)) for p in versions]
    return [*pairs, ("x-default", pairs[0][1])]


def listing_alternates(site: Site, address: Address) -> list[tuple[str, str]]:
    """Return (hreflang, URL) for a listing page in each of its site's languages.

    x-default is the site's root for the home (it sends each reader to their
    language), else the page in the site's default language.
    """
    if len(site.languages) < 2:
        return []
    endpoint, values = address.endpoint, address.values
    pairs = [(lang, site_url(site, endpoint, lang, **values)) for lang in site.languages]
    if endpoint == "public.home":
        return [*pairs, ("x-default", site.url + "/")]
    return [*pairs, ("x-default", site_url(site, endpoint, site.default_language, **values))]


def translation_sites(sites: SiteRegistry, original: Post, language: str) -> list[str]:
    """Return the sites a translation of `original` into `language` appears on, its home first.

    Where the original does when those sites publish `language` (its home first), else the
    first site that does.
    """
    on = [key for key in original.sites if sites[key].accepts(language)]
    return on or [next(s.key for s in sites if s.accepts(language))]
