"""Read a WordPress eXtended RSS export (WXR 1.0–1.2) into plain data; nothing is stored here.

The file is parsed whole before anything is written, so that a malformed export
(broken XML, bytes that do not match the declared or implied encoding) is
refused with its line and column and the store is never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .. import fields

WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.[012]/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.[012]/excerpt/$")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
# lxml appends the position to its messages; the refusal names it once, its own way.
_POSITION = re.compile(r",? line \d+, column \d+$")
# Polylang's groups are PHP-serialized arrays: a:2:{s:2:"fr";i:12;s:2:"en";i:14;}
_PHP_PAIR = re.compile(r's:\d+:"([^"]*)";i:(\d+);', re.ASCII)
_PHP_ARRAY = re.compile(r"a:(\d+):\{(.*)\}", re.DOTALL | re.ASCII)
# One entry of such an array: a string key, then an integer (or a string of digits) value.
_PHP_ENTRY = re.compile(r's:(\d+):"([^"]*)";(?:i:(\d+)|s:\d+:"(\d+)");', re.ASCII)


class WXRError(ValueError):
    """The file is not a readable WordPress export; line and column say where."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        self.line, self.column = line, column
        super().__init__(f"line {line}, column {column}: {message}" if line else message)


@dataclass
class Author:
    login: str
    name: str
    email: str


@dataclass
class TermEntry:
    """A category, tag or other term declared by the export's channel."""

    taxonomy: str
    slug: str
    name: str
    term_id: int | None = None
    parent: str = ""  # the parent's slug (WordPress "nicename")
    description: str = ""


@dataclass
class ItemComment:
    """A comment of an item as WordPress exported it (dates as written, GMT and local)."""

    wp_id: str
    author: str
    email: str
    url: str
    date: str
    date_gmt: str
    content: str
    approved: str  # "1", "0", "spam" or "trash"
    type: str  # "" or "comment" for a comment; "pingback", "trackback"…
    parent: str
    user_id: str


@dataclass
class ItemTerm:
    """A term an item carries: `<category domain="..." nicename="...">Name</category>`."""

    domain: str
    slug: str
    name: str


@dataclass
class Item:
    """A post, page, attachment or any other WordPress object of the export."""

    line: int
    wp_id: int
    post_type: str
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    modified: str = ""
    modified_gmt: str = ""
    post_name: str = ""
    status: str = ""
    parent: int = 0
    menu_order: int = 0
    sticky: bool = False
    attachment_url: str = ""
    # WordPress keeps it in clear; it is never stored here, only noticed (see wordpress.py).
    password: str = ""
    terms: list[ItemTerm] = field(default_factory=list)
    comments: list[ItemComment] = field(default_factory=list)
    comment_status: str = ""  # "open" or "closed"
    meta: dict[str, str] = field(default_factory=dict)

    def terms_of(self, domain: str) -> list[ItemTerm]:
        return [t for t in self.terms if t.domain == domain]

    def describe(self) -> str:
        """Return how the report names this item: its type, WordPress id and title."""
        return f"{self.post_type} {self.wp_id} “{self.title or self.post_name}”"


@dataclass
class Export:
    version: str
    title: str
    link: str
    base_url: str
    language: str
    authors: dict[str, Author]
    terms: list[TermEntry]
    items: list[Item]

    def term_groups(self) -> list[dict[str, int]]:
        """Return Polylang's groups of translated terms: language → WordPress term id."""
        groups = []
        for term in self.terms:
            if term.taxonomy == "term_translations":
                pairs = {lang.lower(): int(i) for lang, i in _PHP_PAIR.findall(term.description)}
                if len(pairs) > 1:
                    groups.append(pairs)
        return groups


def php_translations(description: str) -> dict[str, int]:
    """Return a Polylang group (language → WordPress id) from its PHP-serialized description.

    Raise ValueError when the text is not such an array (its declared lengths and count agree).
    """
    whole = _PHP_ARRAY.fullmatch(description.strip())
    if whole is None:
        raise ValueError("not a serialized array")
    found, position, body = {}, 0, whole.group(2)
    while position < len(body):
        entry = _PHP_ENTRY.match(body, position)
        if entry is None:
            raise ValueError(f"unreadable entry at character {position + 1}")
        length, key = int(entry.group(1)), entry.group(2)
        if len(key.encode()) != length:
            raise ValueError(f"the key {key!r} is not {length} bytes long")
        found[key.lower()] = int(entry.group(3) or entry.group(4))
        position = entry.end()
    if len(found) != int(whole.group(1)):
        raise ValueError(f"{len(found)} entries where {whole.group(1)} are declared")
    return found


def read(path: str | Path) -> Export:
    """Parse a WXR file, or raise WXRError naming the line and column of the problem."""
    return parse(Path(path).read_bytes())


def parse(data: bytes) -> Export:
    """Parse the bytes of a WXR file (the encoding comes from its XML declaration)."""
    # No DTD, no entity expansion and no network: an export is data, never instructions.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise WXRError(_POSITION.sub("", error.msg), line, column) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise WXRError("A WordPress export has no DOCTYPE; this file declares one.", 1, 1)
    wp = next((ns for ns in root.nsmap.values() if ns and WP_NAMESPACE.match(ns)), None)
    channel = root.find("channel")
    if etree.QName(root).localname != "rss" or channel is None or wp is None:
        raise WXRError(
            "This is not a WordPress export (WXR 1.0–1.2): an <rss> with a <channel> and the "
            "wordpress.org/export namespace is expected.",
            root.sourceline or 1,
            1,
        )
    excerpt = next((ns for ns in root.nsmap.values() if ns and EXCERPT_NAMESPACE.match(ns)), "")
    reader = _Reader("{" + wp + "}", "{" + excerpt + "}" if excerpt else "")
    return reader.export(channel)


class _Reader:
    def __init__(self, wp: str, excerpt: str):
        self.wp, self.excerpt = wp, excerpt

    def export(self, channel) -> Export:
        wp = self.wp
        authors = {}
        for element in channel.iterfind(wp + "author"):
            login = _text(element, wp + "author_login").strip()
            authors[login] = Author(
                login=login,
                name=_text(element, wp + "author_display_name").strip() or login,
                email=_text(element, wp + "author_email").strip(),
            )
        terms = [
            *(self._category(e) for e in channel.iterfind(wp + "category")),
            *(self._tag(e) for e in channel.iterfind(wp + "tag")),
            *(self._term(e) for e in channel.iterfind(wp + "term")),
        ]
        return Export(
            version=_text(channel, wp + "wxr_version").strip() or "1.0",
            title=_text(channel, "title").strip(),
            link=_text(channel, "link").strip(),
            base_url=(
                _text(channel, wp + "base_blog_url") or _text(channel, wp + "base_site_url")
            ).strip(),
            language=_text(channel, "language").strip(),
            authors=authors,
            terms=terms,
            items=[self._item(e) for e in channel.iterfind("item")],
        )

    def _category(self, element) -> TermEntry:
        wp = self.wp
        return TermEntry(
            taxonomy="category",
            slug=_text(element, wp + "category_nicename").strip(),
            name=_text(element, wp + "cat_name").strip(),
            term_id=_int(_text(element, wp + "term_id")),
            parent=_text(element, wp + "category_parent").strip(),
            description=_text(element, wp + "category_description"),
        )

    def _tag(self, element) -> TermEntry:
        wp = self.wp
        return TermEntry(
            taxonomy="post_tag",
            slug=_text(element, wp + "tag_slug").strip(),
            name=_text(element, wp + "tag_name").strip(),
            term_id=_int(_text(element, wp + "term_id")),
            description=_text(element, wp + "tag_description"),
        )

    def _term(self, element) -> TermEntry:
        wp = self.wp
        return TermEntry(
            taxonomy=_text(element, wp + "term_taxonomy").strip(),
            slug=_text(element, wp + "term_slug").strip(),
            name=_text(element, wp + "term_name").strip(),
            term_id=_int(_text(element, wp + "term_id")),
            parent=_text(element, wp + "term_parent").strip(),
            description=_text(element, wp + "term_description"),
        )

    def _item(self, element) -> Item:
        wp = self.wp
        item = Item(
            line=element.sourceline or 0,
            wp_id=_int(_text(element, wp + "post_id")) or 0,
            post_type=_text(element, wp + "post_type").strip() or "post",
            title=_text(element, "title").strip(),
            link=_text(element, "link").strip(),
            creator=_text(element, DC + "creator").strip(),
            content=_text(element, CONTENT + "encoded"),
            excerpt=_text(element, self.excerpt + "encoded") if self.excerpt else "",
            post_date=_text(element, wp + "post_date").strip(),
            post_date_gmt=_text(element, wp + "post_date_gmt").strip(),
            modified=_text(element, wp + "post_modified").strip(),
            modified_gmt=_text(element, wp + "post_modified_gmt").strip(),
            post_name=_text(element, wp + "post_name").strip(),
            status=_text(element, wp + "status").strip(),
            parent=_int(_text(element, wp + "post_parent")) or 0,
            menu_order=_int(_text(element, wp + "menu_order")) or 0,
            sticky=_text(element, wp + "is_sticky").strip() == "1",
            attachment_url=_text(element, wp + "attachment_url").strip(),
            password=_text(element, wp + "post_password"),
        )
        found = [
            ItemTerm(
                # WXR 1.0 says "tag" where later versions say "post_tag".
                domain={"tag": "post_tag"}.get(c.get("domain", ""), c.get("domain") or "category"),
                slug=(c.get("nicename") or "").strip(),
                name=(c.text or "").strip(),
            )
            for c in element.iterfind("category")
        ]
        # WXR 1.0 repeats each term without its nicename; keep the copy that has one.
        named = {(t.domain, t.name) for t in found if t.slug}
        item.terms = [t for t in found if t.slug or (t.domain, t.name) not in named]
        item.comment_status = _text(element, wp + "comment_status").strip()
        for comment in element.iterfind(wp + "comment"):
            item.comments.append(
                ItemComment(
                    **{
                        name: _text(comment, wp + tag).strip()
                        for name, tag in COMMENT_FIELDS.items()
                    },
                    content=_text(comment, wp + "comment_content"),
                )
            )
        for meta in element.iterfind(wp + "postmeta"):
            item.meta[_text(meta, wp + "meta_key").strip()] = _text(meta, wp + "meta_value")
        return item


COMMENT_FIELDS = {
    "wp_id": "comment_id",
    "author": "comment_author",
    "email": "comment_author_email",
    "url": "comment_author_url",
    "date": "comment_date",
    "date_gmt": "comment_date_gmt",
    "approved": "comment_approved",
    "type": "comment_type",
    "parent": "comment_parent",
    "user_id": "comment_user_id",
}


def _text(element, tag: str) -> str:
    child = element.find(tag)
    # CDATA sections split around "]]>" come back joined: lxml gives the whole text.
    return "" if child is None or child.text is None else child.text


def _int(value: str) -> int | None:
    # ASCII digits within an INTEGER column's range: "²" or 2**63 read as no number at all.
    return fields.parse_int(value, fields.MENU_ORDER)
