"""Every default setting in one place, and the sites file read and validated."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from flask import current_app

from .sites import FALLBACK_POLICIES, SITE_KINDS, Shop, Site, SiteRegistry

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

DEFAULTS = {
    # Overridden in production through BLOG_SECRET_KEY.
    "SECRET_KEY": "dev-only-secret-change-me",
    # None means a SQLite file in the instance folder; DATABASE_URL switches to PostgreSQL.
    "DATABASE_URL": None,
    "SITES_FILE": str(PACKAGE_DIR / "sites.toml"),
    "TRANSLATIONS_DIR": str(PROJECT_DIR / "translations"),
    "TEMPLATES_DIR": str(PROJECT_DIR / "templates"),
    "MIGRATIONS_DIR": str(PROJECT_DIR / "migrations"),
    "POSTS_PER_PAGE": 10,
    "FEED_SIZE": 20,
    # A search ranks this many of the index's best matches and shows the visible ones among
    # them: its cost stops growing there, and a broader query says "more than N results".
    "SEARCH_MATCHES": 1000,
    # URLs per sitemap chunk (/sitemap-N.xml). The protocol allows 50,000 and 50 MB; at about
    # 600 bytes a URL with its alternates, 10,000 keep a chunk near 6 MB and quick to build.
    "SITEMAP_CHUNK_SIZE": 10_000,
    # Seconds browsers and proxies keep a static file asked for by its plain name (site.css);
    # its fingerprinted name (site.3f2a9c1e.css, what pages link to) is immutable for a year.
    "STATIC_MAX_AGE": 3600,
    "LANGUAGE_COOKIE": "lang",
    "LANGUAGE_COOKIE_MAX_AGE": 365 * 24 * 3600,
    # "1" when a reader of a site that shows fallbacks chose to list only their language.
    "ONLY_LANGUAGE_COOKIE": "only",
    # Host names that get the "which site?" page when no site claims them.
    "LOOPBACK_HOSTS": ("localhost", "127.0.0.1", "::1"),
    "MAX_PATH_LENGTH": 512,
    "SQL_ECHO": False,
    # Times typed and shown in the desk are in this zone; the store keeps UTC.
    "TIMEZONE": "Europe/Paris",
    # Days a shareable draft link works (the desk offers shorter and longer ones too).
    "DRAFT_LINK_DAYS": 7,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # A desk session ends this long after sign-in, however busy (seconds)…
    "SESSION_LIFETIME": 30 * 24 * 3600,
    # …and earlier when the desk is not used for this long (seconds; Flask's own
    # PERMANENT_SESSION_LIFETIME is set from it).
    "SESSION_IDLE_TIMEOUT": 7 * 24 * 3600,
    # The session cookie is sent only when it changes: public pages never carry it.
    "SESSION_REFRESH_EACH_REQUEST": False,
    # How many proxies in front set X-Forwarded-For/-Proto; 0 ignores those headers.
    "TRUSTED_PROXIES": 0,
    # A request body larger than this (bytes) is answered 413.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Sent as Strict-Transport-Security by a site whose url is https.
    "HSTS_MAX_AGE": 365 * 24 * 3600,
    # Debug mode is refused when a site is served over https, unless this says it is on purpose.
    "ALLOW_DEBUG": False,
    # Refuse to serve a database whose migrations are behind or ahead of the code.
    "SCHEMA_CHECK": True,
    # Seconds a SQLite writer waits for another one's lock before failing.
    "SQLITE_BUSY_TIMEOUT": 30,
    # Uploaded files, kept in backups; None means the folder media/ of the instance.
    "MEDIA_DIR": None,
    # The largest file the media library takes (bytes); keep it under MAX_CONTENT_LENGTH.
    "MEDIA_MAX_SIZE": 15 * 1024 * 1024,
    # The widths of an image's resized copies, made at upload (pixels).
    "MEDIA_WIDTHS": (480, 960, 1600),
    # The PeerTube instances whose videos become click-to-load embeds (and the CSP's frame-src).
    "EMBED_PEERTUBE_HOSTS": ("framatube.org", "peertube.fr"),
    # An embed's poster is fetched once, when the text is saved (never when a page is read),
    # stored re-encoded under media/posters/, and shown until the reader clicks; False keeps
    # the neutral placeholder with the provider's name. Where each provider's picture comes
    # from: YouTube's address is the picture's; the others are oEmbed endpoints whose answer
    # names it (`thumbnail_url`). {id} is YouTube's video id, {url} the page's address
    # (quoted), {host} a PeerTube instance.
    "EMBED_POSTERS": True,
    "EMBED_POSTER_SOURCES": {
        "YouTube": "https://img.youtube.com/vi/{id}/hqdefault.jpg",
        "Vimeo": "https://vimeo.com/api/oembed.json?url={url}",
        "Dailymotion": "https://www.dailymotion.com/services/oembed?format=json&url={url}",
        "SoundCloud": "https://soundcloud.com/oembed?format=json&url={url}",
        "PeerTube": "https://{host}/services/oembed?format=json&url={url}",
    },
    # Seconds each fetch of a poster may take, and the largest picture taken (bytes).
    "EMBED_POSTER_TIMEOUT": 4.0,
    "EMBED_POSTER_MAX_SIZE": 3 * 1024 * 1024,
    # Werkzeug's method for new password hashes; its default scrypt costs ~0.25 s per hash on
    # purpose. Tests lower it (e.g. "scrypt:16:1:1"); production keeps the default.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Invitations and password resets are one-time links, valid this many seconds; they are
    # mailed when MAIL_SERVER is set (below), else shown to the administrator (or printed by
    # `flask reset-password`) to pass on.
    "LINK_LIFETIME": 3 * 24 * 3600,
    # A function returning the current time (aware UTC), or None for the system clock; tests set
    # one to move time instead of sleeping. Asked through blog.clock.now().
    "CLOCK": None,
    # Redis (redis://host:port/db), shared by every worker and machine; the environment's
    # REDIS_URL sets it too. None: no Redis.
    "REDIS_URL": None,
    # Where rendered public pages are kept: "memory" (each worker its own, bounded), "redis"
    # (shared) or "off"; None means "redis" when REDIS_URL is set, else "memory".
    "PAGE_CACHE": None,
    # The memory cache's bound, in bytes of pages kept by each worker.
    "PAGE_CACHE_MAX_BYTES": 64 * 1024 * 1024,
    # Keys in Redis start with this and expire after this many seconds unread: a page stays
    # valid for as long as the store does not change, and a change makes new keys.
    "PAGE_CACHE_PREFIX": "blog:page:",
    "PAGE_CACHE_TTL": 24 * 3600,
    # Answer warm hits of the response cache before Flask (fastpath.py), from one raw statement.
    "FAST_PATH": True,
    # Cache-Control of public pages and feeds: how long a browser, proxy or CDN may serve its
    # copy without asking (seconds), and how long after that it may still serve it while it asks.
    "CACHE_MAX_AGE": 60,
    "CACHE_STALE_WHILE_REVALIDATE": 300,
    # Comments (blog/comments/): a first-time commenter's comment waits for the author's
    # approval; False publishes every comment that passes the spam checks.
    "COMMENTS_HOLD_FIRST": True,
    # A form sent sooner than this after its page was made is a robot's (seconds)…
    "COMMENTS_MIN_SECONDS": 3,
    # …and a form older than this is refused, to be sent again with a fresh token (seconds):
    # long, because a cached page keeps the token it was rendered with until the store changes.
    "COMMENTS_FORM_MAX_AGE": 30 * 24 * 3600,
    # At most this many comments per address in COMMENTS_RATE_WINDOW seconds.
    "COMMENTS_RATE_LIMIT": 5,
    "COMMENTS_RATE_WINDOW": 600,
    # A comment with more links than this waits; with more than COMMENTS_MAX_LINKS, refused.
    "COMMENTS_HOLD_LINKS": 2,
    "COMMENTS_MAX_LINKS": 6,
    "COMMENTS_MAX_LENGTH": 5000,
    # The address hash kept for rate limits is erased this many days after the comment.
    "COMMENTS_ADDRESS_DAYS": 7,
    # Contact messages and registrations (blog/readerforms/) pass the comments' spam checks
    # (the COMMENTS_* settings above) and are deleted this many days after they were sent.
    "FORMS_KEEP_DAYS": 365,
    "FORMS_MESSAGE_MAX_LENGTH": 5000,
    # SMTP for every message (comment notifications, invitations, password resets; None: no
    # mail); MAIL_FROM is the sender of every message.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_STARTTLS": False,
    "MAIL_FROM": "blog@localhost",
    "MAIL_TIMEOUT": 10,
    # Messages wait in the outbox (mail.py) for the sender (sender.py): "thread" runs one in
    # each web process, started at its first request; "command" leaves it to
    # `flask --app app send-mail`, run by cron. Either way the command works too.
    "MAIL_SENDER": "thread",
    # The thread's run when no request woke it: retries and scheduled posts come due (seconds).
    "MAIL_POLL_SECONDS": 60,
    # A failed message waits MAIL_RETRY_BASE seconds, then twice as long at each failure, at
    # most MAIL_RETRY_MAX; after MAIL_MAX_ATTEMPTS tries it is marked failed (the desk retries).
    "MAIL_RETRY_BASE": 60,
    "MAIL_RETRY_MAX": 6 * 3600,
    "MAIL_MAX_ATTEMPTS": 12,
    # A sent message's recipient, subject and time stay in the outbox's log this many days.
    "MAIL_KEEP_DAYS": 7,
    # Follow by email (blog/subscriptions/): an address not confirmed within this many days
    # is deleted.
    "SUBSCRIPTIONS_CONFIRM_DAYS": 7,
}

SITE_KEYS = {
    "kind",
    "url",
    "hosts",
    "languages",
    "default_language",
    "fallback",
    "language_prefix",
    "title",
    "tagline",
    "description",
    "author",
    "book",
    "theme",
    "image",
    "comments",
    "contact",
    "mail_full_text",
}
BOOK_KEYS = {
    "shops",
    "title",
    "author",
    "isbn",
    "publisher",
    "date_published",
    "cover",
    "cover_image",
    "language",
}
REQUIRED_SITE_KEYS = ("kind", "url", "hosts", "languages", "default_language", "title")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SITE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class SitesFileError(Exception):
    """The sites file is wrong; the message names the file, the key and the fix."""

    def __init__(self, path: str | Path, key: str, problem: str, fix: str):
        self.path, self.key = str(path), key
        super().__init__(f"{path}: [{key}] {problem} Fix: {fix}")


def database_url(configured: str | None, instance_path: str) -> str:
    """Return the SQLAlchemy URL for a configured DATABASE_URL, defaulting to SQLite."""
    if not configured:
        return "sqlite:///" + os.path.join(instance_path, "blog.sqlite3")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if configured.startswith(prefix):
            return "postgresql+psycopg://" + configured[len(prefix) :]
    return configured


def load_sites(path: str | Path, catalog_languages: set[str]) -> SiteRegistry:
    """Read and validate the sites file; raise SitesFileError on the first problem."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise SitesFileError(
            path, "file", "The sites file does not exist.", "create it or set BLOG_SITES_FILE."
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise SitesFileError(path, "file", f"This is not valid TOML ({e}).", "correct it.") from e

    unknown = set(data) - {"sites"}
    if unknown:
        raise SitesFileError(
            path, ", ".join(sorted(unknown)), "Unknown top-level key.", "keep only [sites.*]."
        )
    tables = data.get("sites")
    if not isinstance(tables, dict) or not tables:
        raise SitesFileError(path, "sites", "No site is defined.", "add a [sites.KEY] table.")

    sites, owner = [], {}
    for key, table in tables.items():
        site = _read_site(path, key, table, catalog_languages)
        for host in site.hosts:
            if host in owner:
                raise SitesFileError(
                    path,
                    f"sites.{key}.hosts",
                    f"The host {host!r} is already claimed by the site {owner[host]!r}.",
                    "give each host name to one site only.",
                )
            owner[host] = key
        sites.append(site)
    return SiteRegistry(sites)


def _read_site(path: Path, key: str, table: object, catalog_languages: set[str]) -> Site:
    """Return a site table as a Site, checked key by key in the order the errors are reported."""
    read = _SiteTable(path, key, table)
    read.check_keys()
    kind = read.kind()
    parts = read.origin()
    hosts = read.hosts(parts.hostname)
    languages = read.languages(catalog_languages)
    default = read.default_language(languages)
    fallback = read.fallback()
    prefix = read.language_prefix(languages)
    texts = read.texts(languages, default)
    book = read.book()
    shops = read.shops(book.pop("shops", []))
    theme = read.theme(kind)
    image = read.image()
    author = read.author(texts["title"][default])
    comments = read.flag("comments", kind == "blog")
    contact = read.flag("contact", kind == "book")
    return Site(
        comments=comments,
        contact=contact,
        mail_full_text=read.flag("mail_full_text", False),
        key=key,
        author=author,
        theme=theme,
        image=image,
        book={k: str(v) for k, v in book.items()},
        shops=shops,
        kind=kind,
        url=f"{parts.scheme}://{parts.netloc}",
        hosts=tuple(hosts),
        languages=tuple(languages),
        default_language=default,
        fallback=fallback,
        language_prefix=prefix,
        title=texts["title"],
        tagline=texts["tagline"],
        description=texts["description"],
        statements=_STATEMENTS.setdefault(
            (key, kind, tuple(languages), default, fallback, prefix), {}
        ),
    )


# The read path's statements (Site.statements) depend only on what makes a site's SQL: its
# key, kind, languages and policies. Every app of a process with the same site shares them (a
# process that builds many apps, as the test suite does, builds each statement once).
_STATEMENTS: dict[tuple, dict] = {}


class _SiteTable:
    """One [sites.KEY] table of the sites file, read one section at a time."""

    def __init__(self, path: Path, key: str, table: object):
        self.path, self.key, self.table = path, key, table
        self.where = f"sites.{key}"

    def fail(self, subkey: str, problem: str, fix: str) -> SitesFileError:
        where = self.where
        return SitesFileError(self.path, f"{where}.{subkey}" if subkey else where, problem, fix)

    def check_keys(self) -> None:
        fail, table = self.fail, self.table
        if not SITE_KEY_RE.match(self.key):
            raise fail(
                "", "A site key must be lowercase letters, digits or _.", "rename the table."
            )
        if not isinstance(table, dict):
            raise fail("", "A site must be a table.", f"write it as [{self.where}].")
        for unknown in sorted(set(table) - SITE_KEYS):
            raise fail(
                unknown, "Unknown key.", "remove it; known keys: " + ", ".join(sorted(SITE_KEYS))
            )
        for required in REQUIRED_SITE_KEYS:
            if required not in table:
                raise fail(required, "This key is missing.", "add it (see README.md).")

    def kind(self) -> str:
        kind = self.table["kind"]
        if kind not in SITE_KINDS:
            raise self.fail(
                "kind", f"Unknown kind {kind!r}.", "use one of: " + ", ".join(SITE_KINDS)
            )
        return kind

    def origin(self) -> SplitResult:
        url = self.table["url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if (
            not parts
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
        ):
            raise self.fail(
                "url", f"{url!r} is not an origin.", 'write it like "https://blog.example.org".'
            )
        return parts

    def hosts(self, hostname: str) -> list[str]:
        hosts = self.table["hosts"]
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise self.fail(
                "hosts", "Hosts must be a list of host names.", 'write hosts = ["a.example"].'
            )
        hosts = [h.lower() for h in hosts]
        if hostname not in hosts:
            hosts.insert(0, hostname)
        return hosts

    def languages(self, catalog_languages: set[str]) -> list[str]:
        fail, languages = self.fail, self.table["languages"]
        if not isinstance(languages, list) or not languages:
            raise fail(
                "languages", "Languages must be a non-empty list.", 'write languages = ["fr"].'
            )
        for lang in languages:
            if not isinstance(lang, str) or not LANGUAGE_RE.match(lang):
                raise fail(
                    "languages", f"{lang!r} is not a BCP 47 language code.", 'use codes like "fr".'
                )
            if lang not in catalog_languages:
                raise fail(
                    "languages",
                    f"The language {lang!r} has no interface catalog.",
                    f"create translations/{lang}/LC_MESSAGES/messages.po "
                    f"(flask --app app translate init {lang}) and compile it.",
                )
        if len(set(languages)) != len(languages):
            raise fail("languages", "A language is listed twice.", "list each language once.")
        return languages

    def default_language(self, languages: list[str]) -> str:
        default = self.table["default_language"]
        if default not in languages:
            raise self.fail(
                "default_language",
                f"The default language {default!r} is not in this site's languages.",
                f"add it to {self.where}.languages or choose one of {languages}.",
            )
        return default

    def fallback(self) -> str:
        fallback = self.table.get("fallback", "hide")
        if fallback not in FALLBACK_POLICIES:
            raise self.fail("fallback", f"Unknown policy {fallback!r}.", 'use "hide" or "show".')
        return fallback

    def language_prefix(self, languages: list[str]) -> bool:
        prefix = self.table.get("language_prefix", len(languages) > 1)
        if not isinstance(prefix, bool) or (not prefix and len(languages) > 1):
            raise self.fail(
                "language_prefix",
                "A site with several languages needs a language prefix in its URLs.",
                "remove language_prefix or set it to true.",
            )
        return prefix

    def texts(self, languages: list[str], default: str) -> dict[str, dict[str, str]]:
        fail, texts = self.fail, {}
        for name in ("title", "tagline", "description"):
            value = self.table.get(name, {})
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise fail(
                    name,
                    "This must be a table of texts per language.",
                    f"write [{self.where}.{name}].",
                )
            for lang in value:
                if lang not in languages:
                    raise fail(
                        f"{name}.{lang}", "This language is not one of the site's.", "remove it."
                    )
            texts[name] = dict(value)
        if default not in texts["title"]:
            raise fail(
                f"title.{default}", "The title in the default language is missing.", "add it."
            )
        return texts

    def book(self) -> dict:
        book = self.table.get("book", {})
        if not isinstance(book, dict):
            raise self.fail("book", "This must be a table.", f"write [{self.where}.book].")
        for unknown in sorted(set(book) - BOOK_KEYS):
            raise self.fail(
                f"book.{unknown}", "Unknown key.", "known keys: " + ", ".join(sorted(BOOK_KEYS))
            )
        return book

    def shops(self, shops: object) -> tuple[Shop, ...]:
        """Read [[sites.KEY.book.shops]]: where readers buy the book, each a name and a URL."""
        fix = (
            f'write [[{self.where}.book.shops]] tables, each with name = "…" and url = "https://…".'
        )
        if not isinstance(shops, list):
            raise self.fail("book.shops", "This must be a list of tables.", fix)
        found = []
        for i, shop in enumerate(shops):
            where = f"book.shops[{i}]"
            if not isinstance(shop, dict) or set(shop) != {"name", "url"}:
                raise self.fail(where, "A shop has a name and a url, nothing else.", fix)
            name, url = shop["name"], shop["url"]
            if not isinstance(name, str) or not name.strip():
                raise self.fail(f"{where}.name", "The name must be a non-empty string.", fix)
            if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
                raise self.fail(f"{where}.url", "The address must start with https://.", fix)
            if not urlsplit(url).netloc:
                raise self.fail(f"{where}.url", "The address has no host.", fix)
            found.append(Shop(name.strip(), url))
        return tuple(found)

    def image(self) -> str:
        image = self.table.get("image", "")
        if image == "":
            return ""
        if (
            not isinstance(image, str)
            or not image.lower().endswith((".png", ".jpg", ".jpeg"))
            or not (PACKAGE_DIR / "static" / image).is_file()
        ):
            raise self.fail(
                "image",
                f"The sharing image {image!r} is not a PNG or JPEG file under blog/static/.",
                "name a PNG or JPEG file under blog/static/ (social networks show no SVG).",
            )
        return image

    def theme(self, kind: str) -> str:
        theme = self.table.get("theme", kind)
        if (
            not isinstance(theme, str)
            or not (PACKAGE_DIR / "static" / "themes" / f"{theme}.css").exists()
        ):
            raise self.fail(
                "theme",
                f"There is no stylesheet for the theme {theme!r}.",
                f"create blog/static/themes/{theme}.css or remove the key.",
            )
        return theme

    def flag(self, name: str, default: bool) -> bool:
        value = self.table.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, "This must be true or false.", f"write {name} = true.")
        return value

    def author(self, title: str) -> str:
        author = self.table.get("author", title)
        if not isinstance(author, str) or not author:
            raise self.fail("author", "The author must be a name.", 'write author = "A. Name".')
        return author


def catalog_languages(translations_dir: str | Path) -> set[str]:
    """Return the languages that have a compiled interface catalog."""
    root = Path(translations_dir)
    found = {p.parent.parent.name for p in root.glob("*/LC_MESSAGES/messages.mo")}
    # English is the source language of the interface strings.
    return found | {"en"}


def media_dir() -> Path:
    """Return the folder of uploaded files (MEDIA_DIR, by default instance/media)."""
    configured = current_app.config.get("MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"
