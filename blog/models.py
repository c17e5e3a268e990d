"""The post store's tables: typed SQLAlchemy models and what each row can say of itself.

The rules every write must keep (a site's languages, one post per language per translation
group, html rendered from source, one home) are checked at flush by rules.py.

Over 400 lines because it is the whole schema and nothing else: sixteen tables on one
metadata, which the migrations are compared against, with relationships across them
(posts, their revisions and authors); split by area, they would import one another.
"""

from __future__ import annotations

import enum
import re
import uuid
from datetime import UTC, datetime
from typing import ClassVar

from markupsafe import Markup
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
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
    select,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    WriteOnlyMapped,
    mapped_column,
    object_session,
    relationship,
    validates,
)

from . import posters, rendering
from .mediahtml import Featured, LibraryFile, featured_of, media_names

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 120


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


post_term = Table(
    "post_term",
    Base.metadata,
    Column("post_id", ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    # Indexed alone too: which posts carry a term (term pages, sitemaps, deleting a term).
    Column("term_id", ForeignKey("term.id", ondelete="CASCADE"), primary_key=True, index=True),
    # The post's publication time, copied here by the database (triggers of migration 0015,
    # never written by the app), so that a term page walks the term's posts by date.
    Column("published_at", UTCDateTime),
    Index("ix_post_term_listing", "term_id", "published_at", "post_id"),
)


class PostFacts:
    """What readers' pages ask of a post, answered from its columns, sites and terms.

    Shared by the ORM's `Post` (the desk, the importers) and the read model's `Entry`
    (entries.py: public pages, loaded without the ORM), so that templates, URLs and the
    fallback policy take either. A class using it has the post's columns, `publications`
    (each with `.site` and `.kind`), `terms` and `announces`.
    """

    __slots__ = ()

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

        An announcement is visible only while what it leads to is (announced_version).
        """
        now = now or utcnow()
        if self.announces is not None and self.announced_version(now) is None:
            return False
        return (
            self.deleted_at is None
            and self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
        )

    def announced_version(self, now: datetime | None = None):
        """Return what an announcement leads its readers to at `now`, None when nothing is live.

        The version of the announced post in the announcement's own language when readers
        can see it (a French announcement leads to the French translation), else the announced
        post itself when they can. The announced post's `group` holds its versions (the ORM's
        relationship; entries.complete for the read model). visibility.on_site is the same
        rule in SQL.
        """
        original = self.announces
        if original is None:
            return None
        now = now or utcnow()
        if original.language != self.language:
            for version in original.group:
                if version.language == self.language and version.is_visible(now):
                    return version
        return original if original.is_visible(now) else None

    @property
    def is_orphaned(self) -> bool:
        """Return whether an announcement has nothing left to lead to (in the trash or drafts).

        Its address answers 410 until a version it links to is published again.
        """
        original = self.announces
        if original is None:
            return False
        linked = [original, *(v for v in original.group if v.language == self.language)]
        return not any(v.deleted_at is None and v.status == Status.PUBLISHED for v in linked)

    def categories(self) -> list[Term]:
        return [t for t in self.terms if t.kind == TermKind.CATEGORY]

    def tags(self) -> list[Term]:
        return [t for t in self.terms if t.kind == TermKind.TAG]


class Post(PostFacts, Base):
    """A dated piece of writing (or an undated page) in exactly one language."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("translation_key", "language"),
        UniqueConstraint("language", "slug"),
        Index("ix_post_listing", "kind", "status", "published_at"),
        # The read path (see queries.py): listings, archives and feeds walk posts newest first
        # and stop after one page; the home puts pinned posts first; caching.validators asks
        # for the latest due publication time.
        Index("ix_post_published_at", "published_at", "id"),
        Index("ix_post_home", "pinned", "published_at", "id"),
        # The desk's list (queries.desk_posts) and its count: kind, trash, date.
        Index("ix_post_desk", "kind", "deleted_at", "published_at"),
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
    # Readers may comment (on a site whose comments are on: the sites file's `comments`).
    comments_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # Counts the changes of the text itself (title, summary, source), advanced at flush by
    # rules.py: a translation made from an older count is outdated.
    text_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # For a translation: the post it was translated from, the text_version of that post it
    # matches (when made, or when last marked up to date) and that post's revision then.
    translated_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="SET NULL"), index=True
    )
    translated_from_version: Mapped[int | None] = mapped_column(Integer)
    translated_from_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", ondelete="SET NULL", use_alter=True)
    )
    # The picture that stands for the post: sharing cards, feeds, JSON-LD, listings.
    featured_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), index=True
    )

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
    featured_media: Mapped[Media | None] = relationship(lazy="selectin")
    announcements: Mapped[list[Post]] = relationship(
        foreign_keys=[announces_id], back_populates="announces", lazy="select", passive_deletes=True
    )
    # The post's translation group, itself included, whatever their state (read only). Loaded
    # when asked; a listing of announcements loads their originals' groups in one statement
    # (queries.py), for announced_version.
    group: Mapped[list[Post]] = relationship(
        primaryjoin="foreign(Post.translation_key) == remote(Post.translation_key)",
        viewonly=True,
        uselist=True,
        lazy="select",
        order_by="Post.id",
    )
    translated_from: Mapped[Post | None] = relationship(
        remote_side=[id], foreign_keys=[translated_from_id], lazy="select"
    )
    slug_history: WriteOnlyMapped[SlugHistory] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    revisions: WriteOnlyMapped[Revision] = relationship(
        back_populates="post",
        foreign_keys="Revision.post_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Revision.id.desc()",
    )

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.language}/{self.slug}>"

    @property
    def featured(self) -> Featured | None:
        """Return the featured image as pages share it (entries.Entry carries the same)."""
        media = self.featured_media
        if media is None or media.kind != MediaKind.IMAGE:
            return None
        alts = {t.language: t.alt for t in media.texts}
        return featured_of(
            media.name, media.fingerprint, media.width, media.height, media.variants, alts
        )

    # What set_source last rendered (a rendering.Rendered); not stored, not loaded.
    rendered_from = None

    def set_source(
        self, source: str, rendered: rendering.Rendered | None = None, session=None
    ) -> None:
        """Set the Markdown source and its html, rendered now in the post's language.

        Rendering happens at save, never per request; a RenderError refuses the text and
        leaves the post as it was. Set the language first: typography depends on it. An
        import passes the rendering it already has (rendering.render_many), which must be
        of this very source in this language. The files of the media library that the text
        shows are looked up once (Media.catalogue), for their sizes, copies and texts, in
        `session` or the post's own; its embeds show the posters already kept (posters.py:
        the desk fetches them before saving, rendering never does).
        """
        if rendered is None:
            session = session or object_session(self)
            library = None
            if session is not None:
                with session.no_autoflush:
                    library = Media.catalogue(session, media_names(source))
            found = posters.stored(source) or None
            rendered = rendering.render(source, self.language, library, found)
        elif (rendered.source, rendered.language) != (source, self.language):
            raise ValueError("This rendering is of another text or in another language.")
        self.source, self.html = source, rendered.html
        self.rendered_from = rendered

    @validates("title", "summary")
    def _drop_control_characters(self, _key: str, text: str) -> str:
        # Control characters are invalid in HTML and XML feeds: never store them.
        return rendering.CONTROL_CHARACTERS.sub("", text) if text else text

    @property
    def is_outdated(self) -> bool:
        """Return whether the post it was translated from changed since (see text_version)."""
        original = self.translated_from
        return (
            original is not None
            and original.deleted_at is None
            and self.translated_from_version is not None
            and original.text_version > self.translated_from_version
        )

    def follow(self, original: Post, revision_id: int | None) -> None:
        """Record that this translation matches `original` as it is now (its revision)."""
        self.translated_from = original
        self.translated_from_version = original.text_version
        self.translated_from_revision_id = revision_id

    def set_sites(self, sites: list[str]) -> bool:
        """Make the post appear on exactly these sites, the first its home; say if it changed."""
        wanted = {site: PublicationKind.CROSSPOST for site in sites}
        if sites:
            wanted[sites[0]] = PublicationKind.HOME
        if {(p.site, p.kind) for p in self.publications} == set(wanted.items()):
            return False
        for publication in list(self.publications):
            if publication.site not in wanted:
                self.publications.remove(publication)
        for site, kind in wanted.items():
            self.publish_on(site, kind).kind = kind
        return True

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
        # A site's listings walk its own posts in order (queries.py).
        Index("ix_publication_listing", "site", "published_at", "post_id"),
        Index("ix_publication_home", "site", "pinned", "published_at", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    site: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default=PublicationKind.HOME)
    # The post's publication time and pin, copied here by the database (triggers of migration
    # 0016, never written by the app), so that each site walks its own posts in order.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

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
    # Kept by the editor while the author types, apart from the post until they save: at most
    # one per post and author since the post's last save (see blog/autosave.py).
    autosave: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    post: Mapped[Post] = relationship(back_populates="revisions", foreign_keys=[post_id])
    author: Mapped[User | None] = relationship(lazy="joined")

    FIELDS = ("language", "title", "slug", "summary", "source", "status", "published_at")

    @classmethod
    def of(cls, post: Post, author: User | None = None, note: str = "") -> Revision:
        """Return a revision holding the post's current text."""
        return cls(post=post, author=author, note=note, **{f: getattr(post, f) for f in cls.FIELDS})


class Role(enum.StrEnum):
    """What an account may do in the desk (permissions.py says what each may)."""

    ADMINISTRATOR = "administrator"
    EDITOR = "editor"
    AUTHOR = "author"
    TRANSLATOR = "translator"


class DraftLink(Base):
    """A shareable link to a post before it is published: unguessable, revocable, expiring."""

    __tablename__ = "draft_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    post: Mapped[Post] = relationship()

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


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
    role: Mapped[str] = mapped_column(
        String(16), default=Role.ADMINISTRATOR, server_default=Role.ADMINISTRATOR.value
    )
    # Two-factor sign-in (totp.py): the base32 secret once set up, and the last time step a
    # code was accepted for, so that a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RecoveryCode(Base):
    """A one-time code that signs in without the authenticator app (SHA-256 kept only)."""

    __tablename__ = "recovery_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)


class OneTimeToken(Base):
    """A link that sets an account's password once: an invitation or a password reset."""

    __tablename__ = "one_time_token"

    # SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class SiteSetting(Base):
    """A site's text in one language edited in the desk, over the sites file's (sitesettings)."""

    __tablename__ = "site_setting"

    site: Mapped[str] = mapped_column(String(32), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    # "title", "tagline" or "description".
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


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


class MenuItemKind(enum.StrEnum):
    PAGE = "page"
    TERM = "term"
    SECTION = "section"
    LINK = "link"


MENU_LABEL_MAX = 200
MENU_URL_MAX = 500


class Menu(Base):
    """A site's menu in one language as edited in the desk: it replaces the automatic one."""

    __tablename__ = "menu"
    __table_args__ = (UniqueConstraint("site", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))

    items: Mapped[list[MenuItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MenuItem.position"
    )


class MenuItem(Base):
    """One link of an edited menu: a page, a term, a section of the site, or another address.

    Exactly the column its kind names holds the target (a check the database keeps); a page or
    a term removed from the store takes its items with it.
    """

    __tablename__ = "menu_item"
    __table_args__ = (
        UniqueConstraint("menu_id", "position"),
        CheckConstraint(
            "(kind = 'page' AND post_id IS NOT NULL AND term_id IS NULL AND section IS NULL"
            " AND url IS NULL)"
            " OR (kind = 'term' AND term_id IS NOT NULL AND post_id IS NULL AND section IS NULL"
            " AND url IS NULL)"
            " OR (kind = 'section' AND section IS NOT NULL AND post_id IS NULL"
            " AND term_id IS NULL AND url IS NULL)"
            " OR (kind = 'link' AND url IS NOT NULL AND post_id IS NULL AND term_id IS NULL"
            " AND section IS NULL)",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    menu_id: Mapped[int] = mapped_column(ForeignKey("menu.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), index=True
    )
    term_id: Mapped[int | None] = mapped_column(
        ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    # A section page's endpoint ("public.talks"), for a book site.
    section: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(MENU_URL_MAX))
    # Empty: the page's title, the term's name or the section's, in the menu's language.
    label: Mapped[str] = mapped_column(String(MENU_LABEL_MAX), default="")
    # Listed under the nearest item before it that is not itself nested.
    nested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class StoreState(Base):
    """One row that every write to the store advances: what validates cached pages and feeds."""

    __tablename__ = "store_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TermFacts:
    """A term's name per language; shared by the ORM's `Term` and the read model's."""

    __slots__ = ()

    def name(self, language: str) -> str:
        """Return the term's name in `language`, else in any language, else its slug."""
        by_language = {n.language: n.name for n in self.names}
        return by_language.get(language) or next(iter(by_language.values()), self.slug)


class Term(TermFacts, Base):
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


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    DOCUMENT = "document"
    AUDIO = "audio"
    VIDEO = "video"


MEDIA_NAME_MAX = 120


class Media(Base):
    """A file of the media library, at /media/<name>: that address survives a replacement.

    Pages link to fingerprinted copies (/media/v/<stem>.<fingerprint>…), cached for ever,
    which a replacement makes anew (see mediastore.py).
    """

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Safe and unique: a slug, a dot, the extension of the type found in the content.
    name: Mapped[str] = mapped_column(String(MEDIA_NAME_MAX), unique=True)
    # The start of the SHA-256 of the current content.
    fingerprint: Mapped[str] = mapped_column(String(16))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    # The widths of the resized copies of an image, made at upload ("480 960"), each as WebP
    # and in the original's format.
    variants: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    texts: Mapped[list[MediaText]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MediaText.language"
    )

    def __repr__(self) -> str:
        return f"<Media {self.name}>"

    @property
    def stem(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def extension(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def widths(self) -> list[int]:
        return [int(w) for w in self.variants.split()]

    def text(self, language: str) -> MediaText | None:
        """Return the alt text, caption and transcript in `language`, if written."""
        return next((t for t in self.texts if t.language == language), None)

    def set_text(self, language: str, alt: str, caption: str, transcript: str = "") -> None:
        """Set the texts of one language (a language without any text keeps no row)."""
        existing = self.text(language)
        if not (alt or caption or transcript):
            if existing is not None:
                self.texts.remove(existing)
            return
        if existing is None:
            existing = MediaText(language=language)
            self.texts.append(existing)
        existing.alt, existing.caption, existing.transcript = alt, caption, transcript

    @classmethod
    def catalogue(cls, session, names) -> dict[str, LibraryFile]:
        """Return what rendering needs of the named files (one statement, none when no name)."""
        names = sorted(set(names))
        if not names:
            return {}
        found = {}
        for media in session.scalars(select(cls).where(cls.name.in_(names))):
            found[media.name] = LibraryFile(
                name=media.name,
                kind=media.kind,
                mime_type=media.mime_type,
                fingerprint=media.fingerprint,
                width=media.width,
                height=media.height,
                widths=tuple(media.widths),
                texts={t.language: (t.alt, t.caption, t.transcript) for t in media.texts},
            )
        return found


class MediaText(Base):
    """A media file's alt text, caption and transcript in one language."""

    __tablename__ = "media_text"

    media_id: Mapped[int] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    alt: Mapped[str] = mapped_column(String(1000), default="")
    caption: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[str] = mapped_column(Text, default="")
