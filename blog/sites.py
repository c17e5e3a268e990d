"""Sites: the publication channels, read from the sites file; which one a Host is; a Reading."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, g

FALLBACK_POLICIES = ("hide", "show")
SITE_KINDS = ("book", "blog")


@dataclass(frozen=True)
class Shop:
    """A bookshop that sells the book (the sites file's [[sites.KEY.book.shops]])."""

    name: str
    url: str


@dataclass(frozen=True)
class Site:
    """One publication channel: its host names, languages and policies."""

    key: str
    kind: str
    url: str
    hosts: tuple[str, ...]
    languages: tuple[str, ...]
    default_language: str
    fallback: str
    language_prefix: bool
    title: dict[str, str] = field(default_factory=dict)
    tagline: dict[str, str] = field(default_factory=dict)
    # A sentence or two about the site, for search engines (the home's meta description).
    description: dict[str, str] = field(default_factory=dict)
    author: str = ""
    # What the book site is about (title, author, isbn, publisher, date_published, cover…).
    book: dict[str, str] = field(default_factory=dict)
    # Where readers buy the book, in the order the sites file gives them.
    shops: tuple[Shop, ...] = ()
    # The per-site stylesheet, blog/static/themes/<theme>.css (by default the site's kind).
    theme: str = ""
    # Readers may comment on this site's posts (each post may still close its own).
    comments: bool = False
    # Readers write to the authors through a form at /contact/ (blog/readerforms/).
    contact: bool = False
    # Mailings to this site's subscribers carry the post's whole text, not only its summary.
    mail_full_text: bool = False
    # The default sharing image (og:image), a PNG or JPEG under blog/static/; "" for none.
    image: str = ""
    # The read path's statements built for this site (visibility.built): building one with
    # its subqueries costs more than running it, so it is built once and given its values.
    statements: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def netloc(self) -> str:
        """Return the configured host (and port) every absolute URL of this site uses."""
        return urlsplit(self.url).netloc

    @property
    def shows_fallbacks(self) -> bool:
        """Say whether readers of one language get posts of another (so may choose not to)."""
        return self.fallback == "show" and len(self.languages) > 1

    def accepts(self, language: str) -> bool:
        return language in self.languages

    def reading_language(self, language: str) -> str:
        """Return the language a reader of `language` gets on this site: theirs, else the default.

        The one rule for what a link to this site from a page in another language speaks;
        what the site shows of a text missing in that language is translations.py's.
        """
        return language if self.accepts(language) else self.default_language

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title[self.default_language]

    def tagline_in(self, language: str) -> str:
        return self.tagline.get(language) or self.tagline.get(self.default_language, "")

    def description_in(self, language: str) -> str:
        return self.description.get(language) or self.description.get(self.default_language, "")


@dataclass(frozen=True)
class Reading:
    """What a public request reads: a site, in a language.

    `negotiated` when the URL did not name the language (cookie, Accept-Language or the
    site's default chose it); `only` when the reader hides the other languages' posts from
    listings. Resolved once per request by routing.py.
    """

    site: Site
    language: str
    negotiated: bool = False
    # The reader chose "only in my language" (a cookie, on a site that shows fallbacks):
    # listings leave out the posts of other languages.
    only: bool = False


def current_reading() -> Reading | None:
    """Return the current request's reading (None for a host that is no configured site)."""
    return g.get("reading")


class SiteRegistry:
    """All configured sites, looked up by key or by request host."""

    def __init__(self, sites: list[Site]):
        self._by_key = {site.key: site for site in sites}
        self._by_host = {host: site for site in sites for host in site.hosts}

    def __iter__(self) -> Iterator[Site]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def __getitem__(self, key: str) -> Site:
        return self._by_key[key]

    def get(self, key: str) -> Site | None:
        return self._by_key.get(key)

    def for_host(self, host: str) -> Site | None:
        """Return the site answering on `host` (a Host header, port ignored), or None."""
        return self._by_host.get(strip_port(host).lower())

    def others(self, site: Site) -> list[Site]:
        return [other for other in self if other.key != site.key]

    @property
    def languages(self) -> list[str]:
        """Return every language of every site, each once, in configuration order."""
        return list(dict.fromkeys(lang for site in self for lang in site.languages))


def registry() -> SiteRegistry:
    """Return the configured sites of the current app (read once, at start-up)."""
    return current_app.extensions["sites"]


def strip_port(host: str) -> str:
    """Return a Host header without its port, IPv6 brackets kept off."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
