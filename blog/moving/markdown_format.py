"""The store as a folder of Markdown files with YAML front matter: its format, and reading it.

A folder holds:

    sites.toml                          a copy of the sites file the store was written with
    terms.yaml                          categories and tags: slug, parent, a name per language
    posts/<language>/<slug>.md          one file per post (pages/ and announcements/ alike),
                                        its approved comments in its front matter
    media/, media.yaml                  the media files and the library (markdown_media.py)

Each file is `---`, the front matter, `---`, then the post's source exactly as
stored. markdown_export.py writes the folder, markdown_folder.py imports it; here are
the names they share, a file read, and its fields checked against their definitions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from .. import fields
from ..models import Kind
from .markdown_media import site_links

TERMS_FILE = "terms.yaml"
SITES_COPY = "sites.toml"
FOLDERS = {Kind.POST: "posts", Kind.PAGE: "pages", Kind.ANNOUNCEMENT: "announcements"}
DELIMITER = "---"
FIELDS = (
    "title", "kind", "language", "slug", "translation_group", "sites", "status", "published",
    "created", "updated", "deleted", "menu_order", "summary", "categories", "tags", "announces",
    "old_addresses", "previous_slugs", "comments",
)  # fmt: skip
REQUIRED = ("title", "language", "sites")

# libyaml's loader when PyYAML was built with it (the wheels are): the same safe constructors,
# several times faster than the pure-Python one, which was a quarter of an import's time.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FolderError(ValueError):
    """A file of the folder cannot be read or refused by the store; the message names it."""


def read_file(path: Path) -> tuple[dict, str]:
    """Return the front matter and the source of a Markdown file, or raise FolderError."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            text = f.read()
    except UnicodeDecodeError as error:
        raise FolderError(f"{path}: not UTF-8 text ({error.reason}).") from None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != DELIMITER:
        raise FolderError(f"{path}: a post starts with a line '---', then its front matter.")
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip("\r\n") == DELIMITER), 0)
    if not end:
        raise FolderError(f"{path}: the front matter is not closed by a line '---'.")
    try:
        meta = yaml.load("".join(lines[1:end]), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as error:
        raise FolderError(f"{path}: the front matter is not valid YAML ({error}).") from None
    if not isinstance(meta, dict):
        raise FolderError(f"{path}: the front matter must be a mapping of keys to values.")
    unknown = sorted(set(meta) - set(FIELDS))
    if unknown:
        raise FolderError(
            f"{path}: unknown key {unknown[0]!r}; the keys are " + ", ".join(FIELDS) + "."
        )
    missing = [key for key in REQUIRED if not meta.get(key)]
    if missing:
        raise FolderError(f"{path}: the key {missing[0]!r} is missing.")
    return meta, site_links("".join(lines[end + 1 :]))


def term_names(entry: dict) -> dict[str, str]:
    """Return a terms.yaml entry's names by language, each checked, or raise ValueError."""
    names = entry.get("names") or {}
    if not isinstance(names, dict):
        raise ValueError("names is a mapping of languages to names.")
    return {
        fields.text(fields.LANGUAGE, str(language)): fields.text(fields.TERM_NAME, str(name))
        for language, name in names.items()
    }


def check_fields(meta: dict, source: str) -> None:
    """Refuse (ValueError) a post whose fields break their definition (see fields.py)."""
    fields.text(fields.LANGUAGE, str(meta["language"]))
    fields.text(fields.TITLE, str(meta["title"]))
    fields.text(fields.SUMMARY, str(meta.get("summary") or ""))
    fields.text(fields.SOURCE, source)
    fields.text(fields.TRANSLATION_GROUP, str(meta.get("translation_group") or ""))
    if meta.get("menu_order") is not None:
        fields.integer(fields.MENU_ORDER, meta["menu_order"])
    for site in as_list(meta["sites"]):
        fields.text(fields.SITE, str(site))
    if meta.get("announces"):
        language, _slash, slug = str(meta["announces"]).partition("/")
        fields.text(fields.LANGUAGE, language)
        fields.slug(slug, "announces")
    for entry in as_list(meta.get("old_addresses")):
        fields.text(fields.SITE, str(entry["site"]))
        fields.text(fields.OLD_PATH, str(entry["path"]))
        fields.text(fields.OLD_QUERY, str(entry.get("query", "")))
    for entry in as_list(meta.get("previous_slugs")):
        fields.text(fields.LANGUAGE, str(entry["language"]))
        fields.slug(str(entry["slug"]), "previous_slugs")
    for entry in as_list(meta.get("comments")):
        if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
            raise ValueError("each of comments needs a text")


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_moment(value) -> datetime | None:
    """Return a front matter date as an aware UTC datetime (a date without zone is UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = datetime.fromisoformat(str(value).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
