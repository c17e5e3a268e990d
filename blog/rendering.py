"""Markdown → HTML → bleach → Markup: the one place where HTML becomes trusted.

Posts are rendered once, when their source is saved (see models.Post.source); pages
show the stored result through `stored_markup`, and nothing else in the project may mark a
string as safe HTML. bleach runs here, then mediahtml.enhance adds the pictures, players and
embeds it builds from escaped values; feeds alone rewrite the result (feeds.absolute_links)
into text for XML and JSON, not Markup. A refusal (RenderError) says why in the request's
interface language. Hostile input is bounded: control characters are dropped, elements
nest at most MAX_NESTING deep, and a render that takes longer than its time budget (watched
by watchdog.py) is refused (Python-Markdown and html5lib have superlinear paths).

It is over 400 lines because it is the one trusted-HTML module: Markdown, cleaning,
typography and the accessibility labels all transform HTML that is trusted after them, and
splitting them apart would make a second place where HTML becomes trusted.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import babel.support
import bleach
import markdown
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context
from markdown.extensions import toc
from markupsafe import Markup, escape

from . import workers
from .config import DEFAULTS
from .mediahtml import LibraryFile, Poster, enhance
from .watchdog import Overrun, within

MAX_SOURCE_LENGTH = 500_000
MAX_CLEANING_PASSES = 3
# html5lib checks scopes by walking the open elements: past this depth, cost grows as the square.
MAX_NESTING = 100
# Real texts render at about a microsecond a character; the budget leaves a wide margin.
RENDER_SECONDS = 2.0
RENDER_SECONDS_PER_CHARACTER = 5e-6
# Never valid in HTML or XML feeds; U+0002/U+0003 are also Python-Markdown's placeholders.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# A heading's id keeps this many characters of its slug, so that the "_2" a repeated heading
# gets still fits SAFE_ID (81 characters).
HEADING_ID_LENGTH = 76


def heading_id(text: str, separator: str) -> str:
    """Return the id of a heading, its permalink's target: Python-Markdown's ASCII slug of its
    text, kept to ids the cleaner allows (SAFE_ID), so that every heading keeps its anchor —
    "section-…" when the slug would not start with a letter (« 2024 », « Ελληνικά »)."""
    slug = toc.slugify(text, separator)
    if not slug[:1].isalpha():
        slug = "section" + separator + slug
    return slug[:HEADING_ID_LENGTH].strip(separator + "_")


MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc"]
MARKDOWN_CONFIG = {
    "extra": {
        "footnotes": {"BACKLINK_TITLE": "", "SUPERSCRIPT_TEXT": "{}"},
        "tables": {"use_align_attribute": True},
    },
    "toc": {
        "permalink": "#",
        "permalink_title": "",
        "permalink_class": "heading-anchor",
        "slugify": heading_id,
    },
}

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "audio", "b", "blockquote", "br", "cite", "code", "dd", "del", "details",
        "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
        "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "source",
        "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul", "video",
    }
)  # fmt: skip
# Footnotes and heading anchors need ids; keep them to a harmless alphabet so
# author content cannot clobber names the page's scripts rely on.
_ID = r"[A-Za-z][A-Za-z0-9:_-]{0,80}"
SAFE_ID = re.compile(f"^{_ID}$")
SAFE_CLASS = re.compile(
    r"^(footnote|footnote-ref|footnote-backref|gallery|heading-anchor|language-[a-z0-9+-]{1,20})$"
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# A player fetches its file by itself: http(s) or an address on the site, nothing else.
MEDIA_SOURCE = re.compile(r"^(https?:|[^:]*([/?#]|$))", re.IGNORECASE)
MEDIA_TYPE = re.compile(r"^(audio|video)/[a-z0-9.+-]{1,40}$")
# Each of these attributes takes only values of its own form.
_VALUES = {
    "src": MEDIA_SOURCE,
    "poster": MEDIA_SOURCE,
    "preload": re.compile(r"^(none|metadata|auto)$"),
    "controls": re.compile(r"^(controls)?$"),
    "width": re.compile(r"^[0-9]{1,5}$"),
    "height": re.compile(r"^[0-9]{1,5}$"),
    "type": MEDIA_TYPE,
}
_MEDIA_TAGS = frozenset({"audio", "video", "source"})
_INVISIBLE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")


# What rendering.accessible writes, allowed back in with those values only, so that cleaning
# a rendering again changes nothing: a scrolling block's tabindex, role and label, a heading
# permalink's name and its hidden "#".
_ACCESSIBLE = {
    ("pre", "tabindex"): "0".__eq__,
    ("table", "tabindex"): "0".__eq__,
    ("pre", "role"): "region".__eq__,
    ("pre", "aria-label"): lambda value: len(value) <= 200,
    ("table", "aria-label"): lambda value: len(value) <= 200,
    ("a", "aria-labelledby"): lambda value: bool(SAFE_ID.match(value)),
    ("span", "aria-hidden"): "true".__eq__,
}


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name == "id":
        return bool(SAFE_ID.match(value))
    if (tag, name) in _ACCESSIBLE:
        return _ACCESSIBLE[tag, name](value)
    if name == "class":
        return all(SAFE_CLASS.match(c) for c in value.split())
    if tag in _MEDIA_TAGS and name in _ATTRIBUTES[tag]:
        # Judge the value a browser would see: entities decoded, spaces and controls gone.
        seen = _INVISIBLE.sub("", bleach.html5lib_shim.convert_entities(value))
        return bool(_VALUES[name].match(seen))
    return name in _ATTRIBUTES.get(tag, ()) or name in _ATTRIBUTES["*"]


_ATTRIBUTES = {
    "*": ("title", "lang"),
    "a": ("href", "rel", "hreflang"),
    "img": ("src", "alt", "width", "height", "loading"),
    # No autoplay, no loop, no muted: a player starts when its reader asks.
    "video": ("src", "controls", "preload", "poster", "width", "height"),
    "audio": ("src", "controls", "preload"),
    "source": ("src", "type"),
    "abbr": (),
    "ol": ("start", "reversed"),
    "td": ("align", "colspan", "rowspan"),
    "th": ("align", "colspan", "rowspan", "scope"),
    "q": ("cite",),
    "blockquote": ("cite",),
}


class RenderError(ValueError):
    """The Markdown source cannot be turned into a page; the message says why, in the
    language of the request (the desk's) when there is one, else in English."""


TOO_DEEP = _l("The text nests quotes or lists too deeply to be rendered.")


class _TooDeep(Exception):
    pass


class _OpenElements(list):
    """html5lib's stack of open elements, refusing to grow past MAX_NESTING."""

    def append(self, element) -> None:
        if len(self) >= MAX_NESTING:
            raise _TooDeep
        super().append(element)

    def insert(self, index, element) -> None:
        if len(self) >= MAX_NESTING:
            raise _TooDeep
        super().insert(index, element)


def _new_cleaner() -> bleach.sanitizer.Cleaner:
    cleaner = bleach.sanitizer.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    # Keep bleach's own parser, but give its tree builder the bounded stack at each reset.
    tree = cleaner.parser.tree
    tree.__class__ = _bounded_tree_builder(type(tree))
    return cleaner


def _bounded_tree_builder(base: type) -> type:
    def reset(self) -> None:
        base.reset(self)
        self.openElements = _OpenElements()

    return type("BoundedTreeBuilder", (base,), {"reset": reset})


# A bleach Cleaner keeps parser state: one per thread, or concurrent renders mix their texts.
_local = threading.local()


def _cleaner() -> bleach.sanitizer.Cleaner:
    if not hasattr(_local, "cleaner"):
        _local.cleaner = _new_cleaner()
    return _local.cleaner


def render_markdown(
    source: str,
    language: str | None = None,
    library: dict | None = None,
    posters: dict[str, Poster] | None = None,
) -> str:
    """Return the clean HTML of a Markdown source (showing `library`'s files and the embeds'
    `posters`), or RenderError."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise RenderError(
            _(
                "The text is %(length)d characters long; the limit is %(max)d.",
                length=len(source),
                max=MAX_SOURCE_LENGTH,
            )
        )
    source = CONTROL_CHARACTERS.sub("", source)
    budget = RENDER_SECONDS + len(source) * RENDER_SECONDS_PER_CHARACTER
    try:
        return within(budget, _render, source, language, library, posters)
    except Overrun:
        raise RenderError(
            _(
                "The text took more than %(seconds).1f seconds to render, too long for its "
                "length: look for long runs of brackets or of unclosed tags.",
                seconds=budget,
            )
        ) from None


def _render(
    source: str, language: str | None, library: dict | None = None, posters: dict | None = None
) -> str:
    # Building a Markdown converter (its extensions, their patterns) costs as much as
    # converting a post: one per thread, reset before each text, dropped after any failure.
    if not hasattr(_local, "markdown"):
        _local.markdown = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG, output_format="html"
        )
    try:
        html = demote_headings(_local.markdown.reset().convert(source))
    except BaseException as error:
        del _local.markdown
        if isinstance(error, RecursionError):
            raise RenderError(str(TOO_DEEP)) from None
        raise
    return enhance(
        accessible(clean_html(typography(html, language)), language), language, library, posters
    )


@dataclass(frozen=True, slots=True)
class Rendered:
    """The clean HTML of a source in a language: made here only, by render or render_many.

    It carries what it was made from, so that a post given it (Post.set_source) and the
    store's rule (rules._check_html) can tell it is the rendering of that very text.
    """

    source: str
    language: str | None
    html: str


def render(
    source: str,
    language: str | None = None,
    library: dict[str, LibraryFile] | None = None,
    posters: dict[str, Poster] | None = None,
) -> Rendered:
    """Return the rendering of a source in a language, or raise RenderError."""
    return Rendered(source, language, render_markdown(source, language, library, posters))


def render_many(texts: Iterable[tuple[str, str | None]]) -> Iterator[Rendered | RenderError]:
    """Yield, in order, the rendering of each (source, language), or the RenderError refusing it.

    Many texts are rendered by worker processes (workers.map_in_order), ahead of what the
    caller consumes, so that it can store one while the next are rendered; the HTML is the
    same as render_markdown's. A refusal is made again here, for its message to be in the
    language of this process's request or command.
    """
    for (source, language), html in workers.map_in_order(_render_chunk, texts):
        if html is not None:
            yield Rendered(source, language, html)
            continue
        try:
            yield render(source, language)
        except RenderError as error:
            yield error


def _render_chunk(
    texts: list[tuple[str, str | None]],
) -> list[tuple[tuple[str, str | None], str | None]]:
    """Render texts in a worker process: each with its html, or None where it is refused."""
    done = []
    for source, language in texts:
        try:
            done.append(((source, language), render_markdown(source, language)))
        except RenderError:
            done.append(((source, language), None))
    return done


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


# The typographic apostrophe, and ordinals and centuries in superscript: « l’eau », « le
# 1<sup>er</sup> mai », « la 2<sup>e</sup> édition », « le XIX<sup>e</sup> siècle ». Roman numerals
# are written with I, V and X only (up to XXXIX), so that « Ce », « De » or « Le » never match.
_APOSTROPHE = re.compile(r"(?<=\w)(?:'|&#39;|&#x27;)(?=\w)")
_ORDINAL = re.compile(
    r"\b(?:(1|I)(ers?)|(1)(res?)|(\d{1,4}|X{0,3}(?:IX|IV|V?I{1,3})|X{1,3}V?|V)(es?))\b"
)
# What looks like an address in a text (a link written as its URL) keeps every character.
_WORDS = re.compile(r"(\s+)")


def _is_address(word: str) -> bool:
    return "://" in word or word.startswith("www.") or "@" in word


def _superscript(match: re.Match) -> str:
    number, suffix = (group for group in match.groups() if group is not None)
    return f"{number}<sup>{suffix}</sup>"


def _french_text(text: str) -> str:
    # Every step is linear in the text's length: hostile texts are long runs without a space.
    for pattern, replacement in _FRENCH_RULES:
        text = pattern.sub(replacement, text)
    words = _WORDS.split(text)
    for i in range(0, len(words), 2):  # the even pieces are words, the odd ones spaces
        word = words[i]
        if word and not _is_address(word):
            words[i] = _ORDINAL.sub(_superscript, _APOSTROPHE.sub("\u2019", word))
    return "".join(words)


_TOP_HEADING = re.compile(r"<h1\b", re.IGNORECASE)
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def demote_headings(html: str) -> str:
    """Return `html` with its headings a level lower when it has a first-level one.

    A page's title is its only h1: a text's own `#` headings would be second titles, and the
    cleaner, which allows no h1 in a text, would keep only their words. A text that has one
    keeps its outline a level lower (h1 → h2, h2 → h3 …, h6 stays h6); a text without one is
    left as written. Code is escaped by then: a "<h1" there is text, not a tag.
    """
    if not _TOP_HEADING.search(html):
        return html
    return _HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(int(tag[2]) + 1, 6)}", html)


def typography(html: str, language: str | None) -> str:
    """Return `html` with the typography of `language` (French) in its text: no-break spaces,
    typographic apostrophes, ordinals and centuries in superscript; never in code."""
    if not language or language.split("-")[0] != "fr":
        return html
    parts, verbatim = _TAG_OR_TEXT.split(html), 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            tag = _VERBATIM.match(part)
            if tag:
                verbatim += -1 if tag.group(1) else 1
        elif part and verbatim <= 0:
            parts[i] = _french_text(part)
    return "".join(parts)


def typeset(text: str | None, language: str | None) -> Markup:
    """Return a plain text (a title, a summary) as HTML, with the typography of its language."""
    return Markup(typography(str(escape(text or "")), language))


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated in the text's language (in_language)."""
    return message


# Labels written into a text's stored HTML, in the text's language (see in_language).
CODE_LABEL = N_("Code (scrolls sideways)")
TABLE_LABEL = N_("Table (scrolls sideways)")
# The ids SAFE_ID allows only: a permalink to anything else is left unnamed.
_HEADING_ANCHOR = re.compile(f'<a class="heading-anchor" href="#({_ID})">#</a>')
_WIDE = re.compile(r"<(pre|table)>")


@functools.cache
def _catalog(language: str) -> babel.support.Translations:
    return babel.support.Translations.load(DEFAULTS["TRANSLATIONS_DIR"], [language])


def in_language(message: str, language: str | None) -> str:
    """Return an interface message in `language` (without any request: renders run in workers)."""
    return _catalog(language or "en").gettext(message) if language else message


def accessible(html: str, language: str | None) -> str:
    """Return clean HTML whose scrolling blocks a keyboard reaches and whose anchors are named.

    A wide code block or table scrolls sideways: tabindex="0" lets a keyboard reach it, and a
    label says what it is. A heading's permalink is named by its heading (its "#" is hidden
    from screen readers).
    """
    labels = {
        "pre": escape(in_language(CODE_LABEL, language)),
        "table": escape(in_language(TABLE_LABEL, language)),
    }
    html = _WIDE.sub(
        lambda m: (
            f'<{m.group(1)} tabindex="0"'
            + (' role="region"' if m.group(1) == "pre" else "")
            + f' aria-label="{labels[m.group(1)]}">'
        ),
        html,
    )
    return _HEADING_ANCHOR.sub(
        r'<a class="heading-anchor" href="#\1" aria-labelledby="\1">'
        r'<span aria-hidden="true">#</span></a>',
        html,
    )


def clean_html(html: str) -> str:
    """Return `html` reduced to the allowlist: no scripts, handlers or foreign URL schemes."""
    cleaner = _cleaner()
    try:
        given = CONTROL_CHARACTERS.sub("", html)
        html = cleaner.clean(given)
        if html == given:
            return html  # cleaning changed nothing, so cleaning it again would not either
        # Foster parenting can leave a tree no parser would build (an <a> inside an <a>), whose
        # serialization a browser then parses differently: clean until nothing changes.
        for _ in range(MAX_CLEANING_PASSES):
            again = cleaner.clean(html)
            if again == html:
                return html
            html = again
    except _TooDeep:
        raise RenderError(str(TOO_DEEP)) from None
    raise RenderError(_("The text's markup does not settle into a stable form: simplify it."))


# A comment's Markdown keeps emphasis, links, code and quotes; its links say rel="nofollow ugc".
COMMENT_TAGS = frozenset({"p", "br", "em", "strong", "a", "code", "pre", "blockquote"})


def _comment_link(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = "nofollow ugc"
    return attrs


def render_comment(source: str, language: str | None = None) -> str:
    """Return the clean HTML of a reader's comment: the posts' sanitizer, then the comments'."""
    html = markdown.markdown(CONTROL_CHARACTERS.sub("", source), output_format="html")
    html = bleach.clean(clean_html(html), tags=COMMENT_TAGS, attributes={"a": ["href"]}, strip=True)
    linker = bleach.Linker(callbacks=[_comment_link], skip_tags={"pre", "code"})
    return typography(linker.linkify(html), language)


def template_gettext(catalog: Callable[[], babel.support.Translations]) -> Callable[..., Markup]:
    """Return the templates' `_` and `gettext`: Jinja's new-style gettext, called straight.

    A string of the interface's catalogs (`catalog()`: the page's) is trusted as HTML, as Jinja
    trusts it in an autoescaped template; the variables it is given are escaped into it.
    """

    @pass_context
    def gettext(context: Context, string: str, **variables) -> str:
        found = catalog().ugettext(string)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        # Always a format string, as Jinja's: "%%" is "%" with or without variables.
        return found % variables

    return gettext


def stored_markup(html: str) -> Markup:
    """Mark HTML that render_markdown produced and the store kept as safe for templates."""
    return Markup(html)


def preview_markup(source: str, language: str | None = None, library: dict | None = None) -> Markup:
    """Render a source exactly as publishing would, for the editor's preview."""
    return Markup(render_markdown(source, language, library))


def json_ld(data: dict) -> Markup:
    """Return `data` as JSON that is safe inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # No "</script>" or "<!--" can be formed: escape the characters that could start them.
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)
