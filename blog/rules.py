"""The store's rules, checked at every flush of a session of the project's factory.

No view, command or import can write a post that breaks them, because `install` attaches
the check to the one session factory they all use (db.init_app); a plain SQLAlchemy
`Session` is left alone, so importing the models changes no other session in the process.

1. A post is published on a site only in a language of that site.
2. One post per language per translation group.
3. `html` is always the rendering of `source` in the post's language (Post.set_source).
4. A post has exactly one home publication.

Every refusal is a ContentRuleError naming its Rule, so that the desk can show it beside
the field the author can change (admin.posts.RULE_FIELDS). The same listeners also count
every write in the store state, which validates cached pages and feeds (caching.py).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session, sessionmaker

from . import rendering
from .i18n import language_name
from .models import (
    SLUG_MAX,
    SLUG_RE,
    Kind,
    Post,
    Publication,
    PublicationKind,
    SlugHistory,
    Status,
    StoreState,
    utcnow,
)
from .rendering import RenderError
from .slugs import is_reserved


class Rule(enum.StrEnum):
    """The rule a refused write broke."""

    SLUG = "slug"
    SITE = "site"
    SITE_LANGUAGE = "site_language"
    HOME = "home"
    TRANSLATION_GROUP = "translation_group"
    PUBLISHED_AT = "published_at"
    HTML = "html"
    ANNOUNCEMENT = "announcement"
    ANNOUNCEMENT_SITE = "announcement_site"
    ANNOUNCEMENT_UNIQUE = "announcement_unique"


class ContentRuleError(ValueError):
    """A write the store refuses; `rule` names the rule, the message says what to do."""

    def __init__(self, rule: Rule, message: str):
        self.rule = rule
        # The post refused, set by check_rules: a flush of many (an import) names which.
        self.post: Post | None = None
        super().__init__(message)


def install(factory: sessionmaker) -> None:
    """Check the rules and count the writes of every session `factory` makes."""
    event.listen(factory, "before_flush", check_rules)
    event.listen(factory, "after_flush", _advance_state)
    event.listen(factory, "do_orm_execute", _advance_state_on_bulk)


def check_rules(session: Session, _context, _instances) -> None:
    """Refuse a flush that would break one of the store's rules."""
    sites = session.info.get("sites")
    posts = {o for o in session.new | session.dirty if isinstance(o, Post)}
    posts |= {o.post for o in session.new | session.dirty if isinstance(o, Publication) and o.post}
    posts -= set(session.deleted)
    # Announcements first: a refusal then names what the author was doing.
    ordered = sorted(posts, key=lambda p: p.kind != Kind.ANNOUNCEMENT)
    for post in ordered:
        with _naming(post):
            if post.kind == Kind.ANNOUNCEMENT:
                _check_announcement(session, post)
            else:
                _follow_changes(session, post)
                _count_text_change(post)
            _check_post(sites, post)
            _check_html(post)
    # Last, once announcements have their translation keys: one query for all the posts.
    taken = _Taken(session, ordered)
    for post in ordered:
        with _naming(post):
            _check_unique(post, taken)


@contextmanager
def _naming(post: Post) -> Iterator[None]:
    """Name the post a refusal is about, for a flush of many posts (an import)."""
    try:
        yield
    except ContentRuleError as error:
        error.post = post
        raise


def _count_text_change(post: Post) -> None:
    """Advance a post's text_version when its title, summary or text changed: what makes its
    translations outdated (Post.is_outdated)."""
    state = inspect(post)
    if state.has_identity and any(
        state.attrs[name].history.has_changes() for name in ("title", "summary", "source")
    ):
        post.text_version = (post.text_version or 1) + 1


def _follow_changes(session: Session, post: Post) -> None:
    """Keep old addresses redirecting, and announcements dated like what they announce."""
    state = inspect(post)
    if not state.has_identity:
        return
    slug, language = state.attrs.slug.history, state.attrs.language.history
    if slug.deleted or language.deleted:
        old_slug = slug.deleted[0] if slug.deleted else post.slug
        old_language = language.deleted[0] if language.deleted else post.language
        session.add(SlugHistory(post_id=post.id, language=old_language, slug=old_slug))
    if state.attrs.published_at.history.deleted:
        for announcement in post.announcements:
            announcement.published_at = post.published_at
    for publication in post.publications:
        if publication.kind == PublicationKind.CROSSPOST and any(
            a.home_site == publication.site for a in post.announcements
        ):
            raise ContentRuleError(
                Rule.ANNOUNCEMENT_SITE,
                _(
                    "This post is announced on %(site)s; it cannot also appear there in full. "
                    "Delete the announcement first, or keep the announcement.",
                    site=publication.site,
                ),
            )


def _check_announcement(session: Session, announcement: Post) -> None:
    original = announcement.announces
    if original is None or original.kind != Kind.POST:
        raise ContentRuleError(
            Rule.ANNOUNCEMENT, _("An announcement announces a post; choose the post it announces.")
        )
    target = announcement.home_site
    if len(announcement.publications) != 1:
        raise ContentRuleError(
            Rule.ANNOUNCEMENT_SITE, _("An announcement belongs to one site only.")
        )
    if target == original.home_site:
        raise ContentRuleError(
            Rule.ANNOUNCEMENT_SITE,
            _(
                "A post cannot be announced on its own home site (%(site)s); announce it on "
                "another site.",
                site=target,
            ),
        )
    if original.is_on(target):
        raise ContentRuleError(
            Rule.ANNOUNCEMENT_SITE,
            _(
                "This post already appears in full on %(site)s; an announcement there would "
                "repeat it.",
                site=target,
            ),
        )
    others = [
        a
        for a in original.announcements
        if a is not announcement and a.home_site == target and a.language == announcement.language
    ]
    if others:
        raise ContentRuleError(
            Rule.ANNOUNCEMENT_UNIQUE,
            _(
                "This post already has an announcement in %(language)s on %(site)s (post "
                "%(id)d); edit that one instead.",
                language=language_name(announcement.language),
                site=target,
                id=others[0].id or 0,
            ),
        )
    # An announcement is listed at the date of what it announces, whatever that becomes.
    announcement.published_at = original.published_at
    # Announcements of one post on one site are translations of one another.
    siblings = [
        a for a in original.announcements if a is not announcement and a.home_site == target
    ]
    if siblings and not inspect(announcement).has_identity:
        announcement.translation_key = siblings[0].translation_key


def _check_post(sites, post: Post) -> None:
    homes = [p for p in post.publications if p.kind == PublicationKind.HOME]
    if len(homes) != 1:
        raise ContentRuleError(
            Rule.HOME, _("A post has exactly one home site; choose the site where it belongs.")
        )
    if post.kind != Kind.ANNOUNCEMENT and post.announces_id is not None:
        raise ContentRuleError(Rule.ANNOUNCEMENT, _("Only an announcement can announce a post."))
    if (
        post.status == Status.PUBLISHED
        and post.published_at is None
        and post.kind != Kind.ANNOUNCEMENT
    ):
        raise ContentRuleError(Rule.PUBLISHED_AT, _("A published post needs a publication time."))
    _check_slug(post, sites.languages if sites is not None else ())
    if sites is not None:
        for publication in post.publications:
            site = sites.get(publication.site)
            if site is None:
                raise ContentRuleError(
                    Rule.SITE, _("There is no site named %(site)s.", site=publication.site)
                )
            if not site.accepts(post.language):
                raise ContentRuleError(
                    Rule.SITE_LANGUAGE,
                    _(
                        "The site %(site)s publishes only in %(languages)s; a post in "
                        "%(language)s cannot appear on it. Publish it on another site, or "
                        "write a translation in one of the site's languages.",
                        site=site.key,
                        languages=", ".join(language_name(lang) for lang in site.languages),
                        language=language_name(post.language),
                    ),
                )


def _check_unique(post: Post, taken: _Taken) -> None:
    """Refuse a second post of a language in a translation group, or a slug taken in it."""
    clash = taken.other(taken.groups, post.translation_key, post)
    if clash is not None:
        raise ContentRuleError(
            Rule.TRANSLATION_GROUP,
            _(
                "This translation group already has a post in %(language)s (post "
                "%(id)d); a group holds one post per language.",
                language=language_name(post.language),
                id=clash,
            ),
        )
    if taken.other(taken.slugs, post.slug, post) is not None:
        raise ContentRuleError(
            Rule.SLUG,
            _(
                "The slug %(slug)s is already used by another post in %(language)s; "
                "choose another.",
                slug=post.slug,
                language=language_name(post.language),
            ),
        )


def _check_slug(post: Post, languages) -> None:
    slug = post.slug or ""
    if not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise ContentRuleError(
            Rule.SLUG,
            _(
                "The slug %(slug)s is not valid: use lowercase letters, digits and hyphens "
                "(at most %(max)d characters).",
                slug=slug,
                max=SLUG_MAX,
            ),
        )
    if post.kind == Kind.PAGE and is_reserved(slug, languages):
        raise ContentRuleError(
            Rule.SLUG,
            _(
                "The slug %(slug)s is reserved for the site's own addresses; choose another.",
                slug=slug,
            ),
        )


def _check_html(post: Post) -> None:
    """Refuse html that is not the rendering of the source (a writer skipped set_source)."""
    state = inspect(post)
    if state.has_identity and not any(
        state.attrs[name].history.has_changes() for name in ("source", "language", "html")
    ):
        return
    source, html = post.source or "", post.html or ""
    if post.rendered_from == rendering.Rendered(source, post.language, html):
        return  # set_source was given exactly this rendering: no need to render it again
    try:
        rendered = rendering.render_markdown(source, post.language)
    except RenderError:
        rendered = None
    if html != rendered:
        raise ContentRuleError(
            Rule.HTML,
            _("The text was not rendered when it was saved; save it again through the editor."),
        )


class _Taken:
    """The translation keys and slugs that the posts of a flush must not take again.

    The stored posts whose key or slug one of them has, in its language (one query for them
    all), and these posts as they will be written, since two new ones may clash.
    """

    def __init__(self, session: Session, posts: list[Post]):
        self.groups: dict[tuple[str, str], list[tuple[int | None, Post | None]]] = {}
        self.slugs: dict[tuple[str, str], list[tuple[int | None, Post | None]]] = {}
        rows = []
        if posts:
            with session.no_autoflush:
                rows = session.execute(
                    select(Post.id, Post.language, Post.translation_key, Post.slug).where(
                        Post.language.in_({p.language for p in posts}),
                        or_(
                            Post.translation_key.in_({p.translation_key for p in posts}),
                            Post.slug.in_({p.slug for p in posts}),
                        ),
                    )
                ).all()
        entries = [(row, None) for row in rows]
        entries += [((p.id, p.language, p.translation_key, p.slug), p) for p in posts]
        for (post_id, language, key, slug), post in entries:
            # A new post without a key gets a fresh one (its column's default) when written.
            if key is not None:
                self.groups.setdefault((language, key), []).append((post_id, post))
            self.slugs.setdefault((language, slug), []).append((post_id, post))

    @staticmethod
    def other(table, value: str | None, post: Post) -> int | None:
        """Return the id of another post in `post`'s language with `value` (0: not stored yet)."""
        if value is None:
            return None
        for other_id, other in table.get((post.language, value), ()):
            if other is not post and (post.id is None or other_id != post.id):
                return other_id or 0
        return None


# Written by every flush and bulk statement that changes the store, so that a reader's
# conditional request can be answered from this row alone (see caching.py).
# Autosaved revisions, draft links and the comments' blocklist change no public page (a real
# save changes the post); a comment says itself whether it does (changes_no_page).
_STATE_TABLES = frozenset(
    {"store_state", "login_session", "login_failure", "revision", "draft_link", "comment_block"}
)


def _advance_state(session: Session, context) -> None:
    changed = session.new | session.dirty | session.deleted
    if any(_changes_pages(o) for o in changed):
        advance_store_state(session.connection())


def _changes_pages(row) -> bool:
    # A row may know better (a held comment changes no page; an approved one does).
    if getattr(row, "__tablename__", "") in _STATE_TABLES:
        return False
    says = getattr(row, "changes_no_page", None)
    return says is None or not says()


def _advance_state_on_bulk(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        table = state.bind_mapper.local_table.name
        if table not in _STATE_TABLES:
            advance_store_state(state.session.connection())


def advance_store_state(connection) -> None:
    """Count one more change to the store (creating its state row the first time)."""
    table = StoreState.__table__
    done = connection.execute(
        table.update()
        .where(table.c.id == 1)
        .values(version=table.c.version + 1, changed_at=utcnow())
    )
    if done.rowcount == 0:
        connection.execute(table.insert().values(id=1, version=1, changed_at=utcnow()))
