"""Every default setting in one place; the sites file is read and validated in sitesfile.py."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

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


def database_url(configured: str | None, instance_path: str) -> str:
    """Return the SQLAlchemy URL for a configured DATABASE_URL, defaulting to SQLite."""
    if not configured:
        return "sqlite:///" + os.path.join(instance_path, "blog.sqlite3")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if configured.startswith(prefix):
            return "postgresql+psycopg://" + configured[len(prefix) :]
    return configured


def media_dir() -> Path:
    """Return the folder of uploaded files (MEDIA_DIR, by default instance/media)."""
    configured = current_app.config.get("MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"
