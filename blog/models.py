"""The post store: typed SQLAlchemy models and the rules the store enforces.

The rules live here, in a before-flush check, so that no view, command or
import can write a post that breaks them:

1. A post is published on a site only in a language of that site.
2. One post per language per translation group.
3. `html` is always the rendering of `source` (see rendering.py).
4. A post has exactly one home publication.
"""

from __future__ import annotations

import enum
import re
import uuid
from datetime import UTC, datetime
from typing import ClassVar

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    WriteOnlyMapped,
    mapped_column,
    relationship,
    validates,
)

from . import rendering
from .i18n import language_name

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 120
# Words a page slug cannot take, because public URLs use them.
RESERVED_SLUGS = frozenset({"category", "tag", "admin", "static", "media", "language", "feed"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetimes are ambiguous; pass an aware datetime.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Kind(enum.StrEnum):
    POST = "post"
    PAGE = "page"
    # A short entry of one site that links to a post whose home is another site.
    ANNOUNCEMENT = "announcement"


# The kinds listed by date in a site's home, archives, term pages and feeds.
DATED_KINDS = (Kind.POST, Kind.ANNOUNCEMENT)


class PublicationKind(enum.StrEnum):
    HOME = "home"
    CROSSPOST = "crosspost"


class TermKind(enum.StrEnum):
    CATEGORY = "category"
    TAG = "tag"


class ContentRuleError(ValueError):
    """A write the store refuses; the message names the rule that was broken."""

    def __init__(self, rule: str, message: str):
        self.rule = rule
        super().__init__(message)


post_term = Table(
    "post_term",
    Base.metadata,
    Column("post_id", ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("term.id", ondelete="CASCADE"), primary_key=True),
)


class Post(Base):
    """A dated piece of writing (or an undated page) in exactly one language."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("translation_key", "language"),
        UniqueConstraint("language", "slug"),
        Index("ix_post_listing", "kind", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=Kind.POST)
    language: Mapped[str] = mapped_column(String(16))
    # Posts that are the same text in different languages share this key.
    translation_key: Mapped[str] = mapped_column(
        String(36), default=lambda: str(uuid.uuid4()), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    menu_order: Mapped[int | None] = mapped_column(Integer)
    # For an announcement: the post it announces (on that post's home site).
    announces_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), index=True
    )
    # Set when the post is moved to the trash; only emptying the trash deletes for good.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # For a page: the page it sits under in the menu (a WordPress page parent, or the desk's).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="SET NULL"), index=True
    )
    # A pinned post is listed first on its site's home page (WordPress's sticky posts).
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # Counts saves, so that a save based on an older version is caught (no silent overwrite).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    publications: Mapped[list[Publication]] = relationship(
        back_populates="post", cascade="all, delete-orphan", lazy="selectin"
    )
    terms: Mapped[list[Term]] = relationship(secondary=post_term, lazy="selectin")
    announces: Mapped[Post | None] = relationship(
        remote_side=[id],
        foreign_keys=[announces_id],
        back_populates="announcements",
        lazy="selectin",
    )
    announcements: Mapped[list[Post]] = relationship(
        foreign_keys=[announces_id], back_populates="announces", lazy="select", passive_deletes=True
    )
    slug_history: WriteOnlyMapped[SlugHistory] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    revisions: WriteOnlyMapped[Revision] = relationship(
        back_populates="post",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Revision.id.desc()",
    )

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.language}/{self.slug}>"

    @validates("source")
    def _render_source(self, _key: str, source: str) -> str:
        # Render at save time, never per request; a RenderError refuses the save.
        self.html = rendering.render_markdown(source, self.language)
        return source

    @validates("language")
    def _render_for_language(self, _key: str, language: str) -> str:
        # Typography depends on the language (French spaces): render again when it changes.
        if self.source and language != self.language:
            self.html = rendering.render_markdown(self.source, language)
        return language

    @validates("title", "summary")
    def _drop_control_characters(self, _key: str, text: str) -> str:
        # Control characters are invalid in HTML and XML feeds: never store them.
        return rendering.CONTROL_CHARACTERS.sub("", text) if text else text

    @validates("slug")
    def _check_slug(self, _key: str, slug: str) -> str:
        if not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
            raise ContentRuleError(
                "slug",
                _(
                    "The slug %(slug)s is not valid: use lowercase letters, digits and hyphens "
                    "(at most %(max)d characters).",
                    slug=slug,
                    max=SLUG_MAX,
                ),
            )
        return slug

    @property
    def body(self) -> Markup:
        """Return the stored, sanitized HTML of the post."""
        return rendering.stored_markup(self.html)

    @property
    def home_site(self) -> str | None:
        for publication in self.publications:
            if publication.kind == PublicationKind.HOME:
                return publication.site
        return None

    @property
    def sites(self) -> list[str]:
        """Return the keys of the sites this post appears on, its home first."""
        return sorted((p.site for p in self.publications), key=lambda s: s != self.home_site)

    def is_on(self, site_key: str) -> bool:
        return any(p.site == site_key for p in self.publications)

    @property
    def is_scheduled(self) -> bool:
        return self.status == Status.PUBLISHED and not self.is_visible()

    def is_visible(self, now: datetime | None = None) -> bool:
        """Return whether readers can see the post now (published, due and not trashed).

        An announcement is visible only while the post it announces is.
        """
        now = now or utcnow()
        if self.announces is not None and not self.announces.is_visible(now):
            return False
        return (
            self.deleted_at is None
            and self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
        )

    def categories(self) -> list[Term]:
        return [t for t in self.terms if t.kind == TermKind.CATEGORY]

    def tags(self) -> list[Term]:
        return [t for t in self.terms if t.kind == TermKind.TAG]

    def publish_on(self, site_key: str, kind: str = PublicationKind.CROSSPOST) -> Publication:
        """Add (or return) the post's publication on a site."""
        for publication in self.publications:
            if publication.site == site_key:
                return publication
        publication = Publication(site=site_key, kind=kind)
        self.publications.append(publication)
        return publication


class Publication(Base):
    """A post appearing on a site: at its home, or cross-posted in full."""

    __tablename__ = "publication"
    __table_args__ = (
        UniqueConstraint("post_id", "site"),
        Index("ix_publication_site", "site", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default=PublicationKind.HOME)

    post: Mapped[Post] = relationship(back_populates="publications")


class SlugHistory(Base):
    """An address a post had before its slug or language changed, kept so old links redirect."""

    __tablename__ = "slug_history"
    __table_args__ = (Index("ix_slug_history_lookup", "slug", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Revision(Base):
    """A post as it was saved once: every save keeps one."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship(lazy="joined")

    FIELDS = ("language", "title", "slug", "summary", "source", "status", "published_at")

    @classmethod
    def of(cls, post: Post, author: User | None = None, note: str = "") -> Revision:
        """Return a revision holding the post's current text."""
        return cls(post=post, author=author, note=note, **{f: getattr(post, f) for f in cls.FIELDS})


class User(Base):
    """An author: one account works on every site."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    # The language of the desk for this author.
    language: Mapped[str] = mapped_column(String(16), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginSession(Base):
    """A signed-in browser; deleting the row ends the session wherever its cookie is."""

    __tablename__ = "login_session"

    # SHA-256 of the token kept in the browser's signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(Base):
    """Failed logins counted per account and per address, to slow down then refuse guessing."""

    __tablename__ = "login_failure"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StoreState(Base):
    """One row that every write to the store advances: what validates cached pages and feeds."""

    __tablename__ = "store_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Term(Base):
    """A category or a tag: a stable slug and a name per language."""

    __tablename__ = "term"
    __table_args__ = (UniqueConstraint("kind", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("term.id", ondelete="SET NULL"))

    names: Mapped[list[TermName]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TermName.language"
    )

    def __repr__(self) -> str:
        return f"<Term {self.kind}:{self.slug}>"

    def name(self, language: str) -> str:
        """Return the term's name in `language`, else in any language, else its slug."""
        by_language = {n.language: n.name for n in self.names}
        return by_language.get(language) or next(iter(by_language.values()), self.slug)

    def set_name(self, language: str, name: str) -> None:
        for existing in self.names:
            if existing.language == language:
                existing.name = name
                return
        self.names.append(TermName(language=language, name=name))


class TermName(Base):
    __tablename__ = "term_name"

    term_id: Mapped[int] = mapped_column(
        ForeignKey("term.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


OLD_PATH_MAX = 512
ORIGIN_MAX = 300


class OldAddress(Base):
    """An address a post had under another engine (a WordPress permalink, `?p=ID`)."""

    __tablename__ = "old_address"
    __table_args__ = (UniqueConstraint("site", "path", "query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    # Percent-decoded, without its trailing slash ("/" for the root): see redirects.old_path.
    path: Mapped[str] = mapped_column(String(OLD_PATH_MAX))
    # "" or one normalized query such as "p=12"; a request for it answers 301 to the post.
    query: Mapped[str] = mapped_column(String(200), default="")
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)

    def __repr__(self) -> str:
        return f"<OldAddress {self.site}:{self.path}?{self.query} → {self.post_id}>"


class ImportedItem(Base):
    """A post an import made of an item of another engine: the site it came from and its id there.

    Ids are unique only within one WordPress site, so an item is known by both. `origin` is
    the normalized address of that site (wordpress.origin_of); "" for the items imported
    before origins were kept (migration 0006), until an import of their export claims them.
    """

    __tablename__ = "imported_item"
    __table_args__ = (UniqueConstraint("site", "origin", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The site of ours the item was imported into.
    site: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(ORIGIN_MAX), default="")
    item_id: Mapped[int] = mapped_column(BigInteger)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)

    def __repr__(self) -> str:
        return f"<ImportedItem {self.site}:{self.origin}#{self.item_id} → {self.post_id}>"


@event.listens_for(Session, "before_flush")
def check_rules(session: Session, _context, _instances) -> None:
    """Refuse a flush that would break one of the store's rules."""
    sites = session.info.get("sites")
    posts = {o for o in session.new | session.dirty if isinstance(o, Post)}
    posts |= {o.post for o in session.new | session.dirty if isinstance(o, Publication) and o.post}
    posts -= set(session.deleted)
    # Announcements first: a refusal then names what the author was doing.
    for post in sorted(posts, key=lambda p: p.kind != Kind.ANNOUNCEMENT):
        if post.kind == Kind.ANNOUNCEMENT:
            _check_announcement(session, post)
        else:
            _follow_changes(session, post)
        _check_post(session, sites, post)


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
                "announcement_site",
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
            "announcement", _("An announcement announces a post; choose the post it announces.")
        )
    target = announcement.home_site
    if len(announcement.publications) != 1:
        raise ContentRuleError("announcement_site", _("An announcement belongs to one site only."))
    if target == original.home_site:
        raise ContentRuleError(
            "announcement_site",
            _(
                "A post cannot be announced on its own home site (%(site)s); announce it on "
                "another site.",
                site=target,
            ),
        )
    if original.is_on(target):
        raise ContentRuleError(
            "announcement_site",
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
            "announcement_unique",
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


def _check_post(session: Session, sites, post: Post) -> None:
    homes = [p for p in post.publications if p.kind == PublicationKind.HOME]
    if len(homes) != 1:
        raise ContentRuleError(
            "home", _("A post has exactly one home site; choose the site where it belongs.")
        )
    if post.kind != Kind.ANNOUNCEMENT and post.announces_id is not None:
        raise ContentRuleError("announcement", _("Only an announcement can announce a post."))
    if (
        post.status == Status.PUBLISHED
        and post.published_at is None
        and post.kind != Kind.ANNOUNCEMENT
    ):
        raise ContentRuleError("published_at", _("A published post needs a publication time."))
    taken_by_urls = RESERVED_SLUGS | set(sites.languages if sites is not None else ())
    if post.kind == Kind.PAGE and (post.slug in taken_by_urls or post.slug.isdigit()):
        raise ContentRuleError(
            "slug",
            _(
                "The slug %(slug)s is reserved for the site's own addresses; choose another.",
                slug=post.slug,
            ),
        )
    if sites is not None:
        for publication in post.publications:
            site = sites.get(publication.site)
            if site is None:
                raise ContentRuleError(
                    "site", _("There is no site named %(site)s.", site=publication.site)
                )
            if not site.accepts(post.language):
                raise ContentRuleError(
                    "site_language",
                    _(
                        "The site %(site)s publishes only in %(languages)s; a post in "
                        "%(language)s cannot appear on it. Publish it on another site, or "
                        "write a translation in one of the site's languages.",
                        site=site.key,
                        languages=", ".join(language_name(lang) for lang in site.languages),
                        language=language_name(post.language),
                    ),
                )
    clash = _other_post(session, post, Post.translation_key == post.translation_key)
    if clash is not None:
        raise ContentRuleError(
            "translation_group",
            _(
                "This translation group already has a post in %(language)s (post "
                "%(id)d); a group holds one post per language.",
                language=language_name(post.language),
                id=clash,
            ),
        )
    if _other_post(session, post, Post.slug == post.slug) is not None:
        raise ContentRuleError(
            "slug",
            _(
                "The slug %(slug)s is already used by another post in %(language)s; "
                "choose another.",
                slug=post.slug,
                language=language_name(post.language),
            ),
        )


def _other_post(session: Session, post: Post, condition) -> int | None:
    """Return the id of another post in the same language that meets `condition`."""
    others = Post.id != post.id if post.id is not None else Post.id.is_not(None)
    with session.no_autoflush:
        return session.scalar(
            select(Post.id).where(Post.language == post.language, others, condition)
        )


# Written by every flush and bulk statement that changes the store, so that a reader's
# conditional request can be answered from this row alone (see caching.py).
_STATE_TABLES = frozenset({"store_state", "login_session", "login_failure"})


@event.listens_for(Session, "after_flush")
def _advance_state(session: Session, context) -> None:
    changed = session.new | session.dirty | session.deleted
    if any(getattr(o, "__tablename__", "") not in _STATE_TABLES for o in changed):
        advance_store_state(session.connection())


@event.listens_for(Session, "do_orm_execute")
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
