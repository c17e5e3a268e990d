"""Markdown → HTML → bleach → Markup: the one place where HTML becomes trusted.

Posts are rendered once, when their source is saved (see models.Post.source);
pages show the stored result through `stored_markup`, and nothing else in the
project may mark a string as safe HTML.
"""

from __future__ import annotations

import json
import re

import bleach
import markdown
from markupsafe import Markup

MAX_SOURCE_LENGTH = 500_000

MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc"]
MARKDOWN_CONFIG = {
    "extra": {
        "footnotes": {"BACKLINK_TITLE": "", "SUPERSCRIPT_TEXT": "{}"},
        "tables": {"use_align_attribute": True},
    },
    "toc": {"permalink": "#", "permalink_title": "", "permalink_class": "heading-anchor"},
}

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "details", "div",
        "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul",
    }
)  # fmt: skip
# Footnotes and heading anchors need ids; keep them to a harmless alphabet so
# author content cannot clobber names the page's scripts rely on.
SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9:_-]{0,80}$")
SAFE_CLASS = re.compile(
    r"^(footnote|footnote-ref|footnote-backref|heading-anchor|language-[a-z0-9+-]{1,20})$"
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name == "id":
        return bool(SAFE_ID.match(value))
    if name == "class":
        return all(SAFE_CLASS.match(c) for c in value.split())
    return name in _ATTRIBUTES.get(tag, ()) or name in _ATTRIBUTES["*"]


_ATTRIBUTES = {
    "*": ("title", "lang"),
    "a": ("href", "rel", "hreflang"),
    "img": ("src", "alt", "width", "height", "loading"),
    "abbr": (),
    "ol": ("start", "reversed"),
    "td": ("align", "colspan", "rowspan"),
    "th": ("align", "colspan", "rowspan", "scope"),
    "q": ("cite",),
    "blockquote": ("cite",),
}

_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


class RenderError(ValueError):
    """The Markdown source cannot be turned into a page; the message says why."""


def render_markdown(source: str, language: str | None = None) -> str:
    """Return the clean HTML of a Markdown source, or raise RenderError."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise RenderError(
            f"The text is {len(source)} characters long; the limit is {MAX_SOURCE_LENGTH}."
        )
    try:
        html = markdown.markdown(
            source,
            extensions=MARKDOWN_EXTENSIONS,
            extension_configs=MARKDOWN_CONFIG,
            output_format="html",
        )
    except RecursionError:
        raise RenderError("The text nests quotes or lists too deeply to be rendered.") from None
    return typography(clean_html(html), language)


# French typography: a narrow no-break space before ; ! ? and a no-break space before : and
# inside « guillemets », so that no line ever starts with the punctuation. Text only: never
# inside tags (attributes, URLs) nor in code.
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_VERBATIM = re.compile(r"^<(/?)(code|pre|kbd|samp)\b", re.IGNORECASE)
_FRENCH_RULES = (
    (re.compile(r"[ \u00a0\u202f]+([;!?])"), "\u202f\\1"),
    (re.compile(r"[ \u00a0\u202f]+:"), "\u00a0:"),
    (re.compile(r"[ \u00a0\u202f]*»"), "\u00a0»"),
    (re.compile(r"«[ \u00a0\u202f]*"), "«\u00a0"),
)


def typography(html: str, language: str | None) -> str:
    """Return `html` with the typographic spaces of `language` (French) in its text."""
    if not language or language.split("-")[0] != "fr":
        return html
    parts, verbatim = _TAG_OR_TEXT.split(html), 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = _VERBATIM.match(part)
            if tag:
                verbatim += -1 if tag.group(1) else 1
        elif part and verbatim <= 0:
            for pattern, replacement in _FRENCH_RULES:
                part = pattern.sub(replacement, part)
            parts[i] = part
    return "".join(parts)


def clean_html(html: str) -> str:
    """Return `html` reduced to the allowlist: no scripts, handlers or foreign URL schemes."""
    return _cleaner.clean(html)


def stored_markup(html: str) -> Markup:
    """Mark HTML that render_markdown produced and the store kept as safe for templates."""
    return Markup(html)


def preview_markup(source: str, language: str | None = None) -> Markup:
    """Render a source exactly as publishing would, for the editor's preview."""
    return Markup(render_markdown(source, language))


def json_ld(data: dict) -> Markup:
    """Return `data` as JSON that is safe inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # No "</script>" or "<!--" can be formed: escape the characters that could start them.
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)
