"""WordPress post content made into a source of the store: shortcodes, embeds and markers converted.

Pure functions: WordPress HTML in, HTML and report notes out. Nothing here is trusted: the
result is a source like any other, rendered and sanitized by rendering.py when it is saved.
WordPress content is HTML that WordPress's own filters finish at display time (shortcodes,
oEmbed URLs, block comments, `<!--more-->`); those filters are applied here, once, so that
readers never see their raw syntax.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from lxml import html as lxml_html

from .wpuploads import rewrite_uploads

# Gutenberg's block delimiters, `<!-- wp:name {json} -->`, `<!-- /wp:name -->`, `<!-- wp:x /-->`.
# The starts of HTML comments that mean something to WordPress (comments end at the first "-->").
BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[a-z]")  # <!-- wp:name {json} -->, <!-- /wp:name -->
MORE = re.compile(r"<!--\s*more\b")  # <!--more--> or <!--more Read on-->
NEXT_PAGE = re.compile(r"<!--\s*nextpage\s*-->")
# `[name attributes]`, `[name attributes /]`; `[[name]]` is WordPress's way to write it literally.
OPENING = re.compile(r"\[(?P<escape>\[?)(?P<name>[A-Za-z][\w-]*)(?P<attributes>(?:\s[^\[\]]*)?)\]")
# WordPress's shortcode_parse_atts: name="value", name='value', name=value, "value", value.
ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
ENCLOSING = frozenset({"caption", "wp_caption", "embed", "audio", "video"})
# The file types each player plays, as WordPress's [audio] and [video] accept them.
AUDIO_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "wav": "audio/wav"}
VIDEO_TYPES = {"mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "ogv": "video/ogg"}
# The oEmbed providers whose bare URLs WordPress turns into players: name, kind, host pattern.
PROVIDERS = (
    ("YouTube", "video", re.compile(r"^(www\.|m\.)?(youtube\.com|youtu\.be)$")),
    ("Vimeo", "video", re.compile(r"^(www\.|player\.)?vimeo\.com$")),
    ("Dailymotion", "video", re.compile(r"^(www\.)?(dailymotion\.com|dai\.ly)$")),
    ("SoundCloud", "audio", re.compile(r"^(www\.|m\.)?soundcloud\.com$")),
    ("WordPress.tv", "video", re.compile(r"^(www\.)?wordpress\.tv$")),
)
# A URL alone on its line (WordPress embeds those, and only those).
BARE_URL = re.compile(r"^[ \t]*(?:<p>\s*)?(https?://[^\s<>\"']+)\s*(?:</p>)?[ \t]*$", re.MULTILINE)
PRE = re.compile(r"<(/?)pre\b", re.IGNORECASE)
TAG = re.compile(r"</?[A-Za-z][^<>]*>")
SPACES = re.compile(r"\s+")
# A summary is the text alone: no captions, players' fallback links or scripts.
SUMMARY_LEAVES_OUT = ("figure", "video", "audio", "script", "style")


@dataclass(frozen=True)
class Attachment:
    """A file of the WordPress media library, as the export's attachment items give it."""

    url: str
    title: str = ""
    caption: str = ""
    parent: int = 0
    order: int = 0
    alt: str = ""


@dataclass
class Converted:
    """A post's content made ready for the store, with what the report should say of it."""

    source: str
    summary: str = ""  # the text before <!--more-->, as plain text
    converted: Counter[str] = field(default_factory=Counter)  # shortcode or embed → count
    unknown: Counter[str] = field(default_factory=Counter)  # shortcodes left in the text
    notes: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)  # links left at the WordPress site


def convert(
    content: str,
    *,
    post_id: int,
    language: str,
    attachments: dict[int, Attachment] | None = None,
    uploads_base: str = "",
    place_upload: Callable[[str], str | None] | None = None,
) -> Converted:
    """Return a WordPress body as the store's source, and what became of its WordPress syntax.

    `uploads_base` is the site's `.../wp-content/uploads/` address; `place_upload` receives the
    path of each file referenced under it and returns its new address (None: left as it is).
    """
    result = Converted(source="")
    text = content.replace("\r\n", "\n")
    text = "".join(_comments(text, BLOCK_COMMENT, lambda _comment: ""))
    if NEXT_PAGE.search(text):
        text = NEXT_PAGE.sub("", text)
        result.notes.append("<!--nextpage--> removed: its pages are one page here")
    text = _Shortcodes(result, post_id, language, attachments or {}).convert(text)
    text = BARE_URL.sub(lambda m: _bare_url(m, language, result), text)
    text = rewrite_uploads(text, uploads_base, place_upload, result.uploads)
    parts = list(_comments(text, MORE, lambda _comment: None))
    if None in parts:
        before = "".join(parts[: parts.index(None)])
        result.summary = plain_text(before, without=SUMMARY_LEAVES_OUT)
        text = "".join(part for part in parts if part is not None)
    result.source = _dedent(text).strip("\n")
    return result


def plain_title(title: str) -> str:
    """Return a WordPress title as text: its markup dropped, entities decoded, spaces joined."""
    return SPACES.sub(" ", html.unescape(TAG.sub("", title))).strip()


def cut_title(title: str, limit: int) -> str:
    """Return `title` cut at a word boundary to fit `limit` characters, with an ellipsis."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def plain_text(fragment: str, without: tuple[str, ...] = ()) -> str:
    """Return the text of an HTML fragment (leaving out the elements named), spaces joined."""
    if "<" not in fragment and "&" not in fragment:
        return SPACES.sub(" ", fragment).strip()
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for element in list(root.iter(*without)) if without else ():
        element.drop_tree()
    return SPACES.sub(" ", root.text_content()).strip()


def provider(url: str) -> tuple[str, str] | None:
    """Return the oEmbed provider of a URL (its name and kind: video or audio), if known."""
    host = (urlsplit(url).hostname or "").lower()
    for name, kind, pattern in PROVIDERS:
        if pattern.match(host):
            return name, kind
    return None


def provider_text(name: str, kind: str, language: str) -> str:
    """Return the words of a link to a provider's page, in the post's language."""
    with force_locale(language):
        if kind == "audio":
            return _("Audio on %(provider)s", provider=name)
        return _("Video on %(provider)s", provider=name)


def _link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(text)}</a>'


def _embed_link(url: str, language: str) -> str:
    """Return a link to an embedded page, named after its provider when it is known."""
    url = html.unescape(url.strip())
    if not url.startswith(("http://", "https://")):
        return f"<p>{html.escape(url)}</p>"  # not an address a link may lead to
    found = provider(url)
    return f"<p>{_link(url, provider_text(*found, language) if found else url)}</p>"


def _bare_url(match: re.Match, language: str, result: Converted) -> str:
    url = match.group(1)
    if provider(html.unescape(url)) is None:
        return match.group(0)  # any other URL alone on its line stays as the author wrote it
    result.converted["link to " + provider(html.unescape(url))[0]] += 1
    return _embed_link(url, language)


class _Shortcodes:
    def __init__(self, result: Converted, post_id: int, language: str, attachments):
        self.result, self.post_id, self.language = result, post_id, language
        self.attachments: dict[int, Attachment] = attachments
        self._found: dict[str, int] = {}

    def _find(self, text: str, token: str, position: int) -> int:
        """Return text.find(token, position), remembering answers so that the scan stays linear."""
        known = self._found.get(token)
        if known is None or (known != -1 and known < position):
            known = self._found[token] = text.find(token, position)
        return known

    def convert(self, text: str) -> str:
        out, position = [], 0
        while True:
            match = OPENING.search(text, position)
            if match is None:
                out.append(text[position:])
                return "".join(out)
            name = match.group("name")
            attributes = match.group("attributes") or ""
            out.append(text[position : match.start()])
            position = match.end()
            if match.group("escape"):
                # [[gallery]] shows "[gallery]": one bracket taken off each side.
                closing = text.startswith("]", position)
                out.append(text[match.start() + 1 : position])
                position += closing
                continue
            handler = self.HANDLERS.get(name)
            if handler is None:
                if _looks_like_shortcode(name, attributes, text):
                    self.result.unknown[f"[{name}]"] += 1
                out.append(match.group(0))
                continue
            content = ""
            if attributes.rstrip().endswith("/"):
                attributes = attributes.rstrip()[:-1]
            elif name in ENCLOSING:
                close = self._find(text, f"[/{name}]", position)
                reopen = self._find(text, f"[{name}", position)
                if close != -1 and (reopen == -1 or reopen > close):
                    content, position = text[position:close], close + len(name) + 3
            self.result.converted[f"[{name}]"] += 1
            out.append(handler(self, _attributes(attributes), content))

    def _caption(self, attributes: dict[str, str], content: str) -> str:
        media = re.match(r"\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)([\s\S]*)$", content)
        picture, caption = (media.group(1), media.group(2)) if media else ("", content)
        caption = caption.strip() or html.escape(attributes.get("caption", ""))
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"\n\n<figure>{picture}{figcaption}</figure>\n\n"

    def _gallery(self, attributes: dict[str, str], _content: str) -> str:
        wanted = attributes.get("ids") or attributes.get("include") or ""
        if wanted:
            ids = [int(i) for i in re.findall(r"\d+", wanted)]
        else:
            # Without ids WordPress shows the files attached to the post, in their order.
            children = [(a.order, i) for i, a in self.attachments.items() if a.parent]
            ids = [
                i for _order, i in sorted(children) if self.attachments[i].parent == self.post_id
            ]
        missing = [str(i) for i in ids if i not in self.attachments]
        if missing:
            self.result.notes.append(
                "[gallery]: attachments not in the export: " + ", ".join(missing)
            )
        items = []
        for i in ids:
            attachment = self.attachments.get(i)
            if attachment is None or not attachment.url:
                continue
            image = (
                f'<img src="{html.escape(attachment.url)}" '
                f'alt="{html.escape(attachment.title)}" loading="lazy">'
            )
            if attachment.caption:
                image = f"<figure>{image}<figcaption>{attachment.caption}</figcaption></figure>"
            items.append(f"<li>{image}</li>")
        if not items:
            return ""
        return '\n\n<ul class="gallery">' + "".join(items) + "</ul>\n\n"

    def _embed(self, attributes: dict[str, str], content: str) -> str:
        url = content.strip() or attributes.get("src", "")
        return f"\n\n{_embed_link(url, self.language)}\n\n" if url else ""

    def _audio(self, attributes: dict[str, str], content: str) -> str:
        return self._player("audio", AUDIO_TYPES, attributes, content)

    def _video(self, attributes: dict[str, str], content: str) -> str:
        return self._player("video", VIDEO_TYPES, attributes, content)

    HANDLERS: ClassVar[dict[str, Callable]] = {
        "caption": _caption,
        "wp_caption": _caption,
        "gallery": _gallery,
        "embed": _embed,
        "audio": _audio,
        "video": _video,
    }

    def _player(self, kind: str, types: dict[str, str], attributes, content: str) -> str:
        sources = []
        for key, url in attributes.items():
            if key == "src" or key in types:
                sources.append(html.unescape(url.strip()))
        if content.strip().startswith(("http://", "https://", "/")):
            sources.append(html.unescape(content.strip()))
        sources = list(dict.fromkeys(s for s in sources if s))
        if not sources:
            self.result.notes.append(f"[{kind}] without a file: removed")
            return ""
        playable = [(s, types[_extension(s)]) for s in sources if _extension(s) in types]
        if not playable:
            # A format no browser plays (wmv, flv…), or a page rather than a file: a link.
            return "\n\n" + " ".join(f"<p>{_link(s, _file_name(s))}</p>" for s in sources) + "\n\n"
        extra = ' preload="metadata"'
        if kind == "video":
            for name in ("poster", "width", "height"):
                value = attributes.get(name, "").strip()
                if value and (name == "poster" or value.isdigit()):
                    extra += f' {name}="{html.escape(value)}"'
        inner = "".join(f'<source src="{html.escape(s)}" type="{t}">' for s, t in playable)
        fallback = _link(playable[0][0], _file_name(playable[0][0]))
        return f"\n\n<figure><{kind} controls{extra}>{inner}{fallback}</{kind}></figure>\n\n"


def _attributes(text: str) -> dict[str, str]:
    """Return a shortcode's attributes; positional ones are numbered from 0."""
    found: dict[str, str] = {}
    position = 0
    for match in ATTRIBUTE.finditer(text.strip()):
        groups = match.groups()
        for key, value in ((groups[0], groups[1]), (groups[2], groups[3]), (groups[4], groups[5])):
            if key is not None:
                found[key.lower()] = value
                break
        else:
            value = next((g for g in groups[6:] if g is not None), "")
            found[str(position)] = value
            position += 1
    return found


def _looks_like_shortcode(name: str, attributes: str, text: str) -> bool:
    """Return whether `[name …]` is a shortcode rather than brackets in prose."""
    return name in ENCLOSING | {"gallery", "playlist"} or "=" in attributes or f"[/{name}]" in text


def _extension(url: str) -> str:
    return posixpath.splitext(urlsplit(url).path)[1].lower().lstrip(".")


def _file_name(url: str) -> str:
    return unquote(posixpath.basename(urlsplit(url).path)) or url


def _comments(text: str, start: re.Pattern, replace: Callable[[str], str | None]):
    """Yield the text in pieces, each comment whose start matches `start` replaced.

    A hand-made scan rather than one regular expression: it stays linear on any text,
    however many unclosed comments it holds.
    """
    position = 0
    while True:
        opening = text.find("<!--", position)
        closing = text.find("-->", opening + 4) if opening != -1 else -1
        if closing == -1:
            yield text[position:]
            return
        end = closing + 3
        if start.match(text, opening):
            yield text[position:opening]
            yield replace(text[opening:end])
        else:
            yield text[position:end]
        position = end


def _dedent(text: str) -> str:
    """Return the text with the indentation of its lines (and runs of blank lines) dropped,
    outside <pre>.

    Indentation means nothing in WordPress's HTML, but four spaces make a code block in
    Markdown: nested blocks and hand-indented HTML would be shown as code.
    """
    lines, depth = [], 0
    for line in text.split("\n"):
        if depth <= 0:
            line = line.lstrip(" \t")
            if not line and lines and not lines[-1]:
                continue
        lines.append(line)
        for tag in PRE.finditer(line):
            depth = max(0, depth + (-1 if tag.group(1) else 1))
    return "\n".join(lines)
