"""The sites file (sites.toml) read and validated: one Site per [sites.KEY] table.

Every problem raises SitesFileError naming the file, the key and the fix, in the order the
keys are checked, so a wrong file fails at start-up with one message to act on.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from .config import PACKAGE_DIR
from .sites import FALLBACK_POLICIES, SITE_KINDS, Shop, Site, SiteRegistry

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
