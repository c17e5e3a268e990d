"""What rendering adds to clean HTML: library pictures and players, and click-to-load embeds.

Pure functions on the output of the sanitizer (rendering.clean_html), called by rendering
only: every value written here is escaped, and every address is built by this module from
the media library or from a provider's known address form, never copied from the author's
attributes. An image of the library gets its fingerprinted copies (`srcset`, WebP first),
its width and height, its alt text and caption in the post's language, and `loading="lazy"`
unless it is the first picture of the text; an audio or video file gets a player and its
transcript. A video or audio page of a known provider alone in its paragraph becomes a
poster that loads the provider's player only when the reader clicks it (static/embeds.js);
without JavaScript it stays a plain link to the provider's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from urllib.parse import parse_qs, quote, urlsplit

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

MEDIA_PREFIX = "/media/"
VARIANTS_PREFIX = "/media/v/"
# A library file's name: a slug, a dot and an extension (see mediastore.safe_name).
NAME = r"[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]{2,5}"
_NAME_IN_SOURCE = re.compile(r"/media/(" + NAME + r")(?![\w/.-])")
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
_ALONE = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>")
_LINK_ALONE = re.compile(r'<p>\s*(?:<a href="([^"]+)"[^>]*>[^<]*</a>|(https?://[^\s<"]+))\s*</p>')
# The column of text is about 40rem wide; a phone shows pictures across the screen.
SIZES = "(min-width: 44rem) 40rem, 100vw"


@dataclass(frozen=True)
class LibraryFile:
    """What a page needs of a library file: read once when a text is saved (Media.catalogue)."""

    name: str
    kind: str
    mime_type: str
    fingerprint: str
    width: int | None = None
    height: int | None = None
    widths: tuple[int, ...] = ()
    # language → (alt, caption, transcript)
    texts: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def extension(self) -> str:
        return self.name.rpartition(".")[2]

    def variant(self, extension: str | None = None, width: int | None = None) -> str:
        """Return the address of a fingerprinted copy: the original's, or a resized one."""
        size = f".w{width}" if width else ""
        return (
            f"{VARIANTS_PREFIX}{self.stem}.{self.fingerprint}{size}.{extension or self.extension}"
        )

    def words(self, language: str) -> tuple[str, str, str]:
        return self.texts.get(language, ("", "", ""))


CARD_SIZE = (1200, 630)


def card_path(name: str, fingerprint: str) -> str:
    """Return the address of an image's 1200×630 sharing card (made at upload)."""
    return f"{VARIANTS_PREFIX}{name.rpartition('.')[0]}.{fingerprint}.card.jpg"


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A listing's picture of a post: its smallest copy, as WebP and in its own format."""

    src: str
    webp: str | None
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Featured:
    """A post's featured image as pages and feeds share it: its card and alt texts, and what
    a listing shows of it (`thumbnail`)."""

    path: str
    alts: dict[str, str] = field(default_factory=dict)
    name: str = ""
    fingerprint: str = ""
    width: int | None = None
    height: int | None = None
    widths: tuple[int, ...] = ()

    def alt(self, language: str) -> str:
        return self.alts.get(language, "")

    @property
    def thumbnail(self) -> Thumbnail | None:
        """Return the smallest copy made at upload (the original when none is smaller)."""
        if not (self.name and self.width and self.height):
            return None
        picture = LibraryFile(self.name, "image", "", self.fingerprint, self.width, self.height)
        smaller = [w for w in self.widths if w < self.width]
        if not smaller or picture.extension == "gif":
            webp = None if picture.extension == "gif" else picture.variant("webp")
            return Thumbnail(picture.variant(), webp, self.width, self.height)
        width = smaller[0]
        height = max(1, round(self.height * width / self.width))
        return Thumbnail(
            picture.variant(width=width), picture.variant("webp", width), width, height
        )


def featured_of(
    name: str,
    fingerprint: str,
    width: int | None,
    height: int | None,
    variants: str,
    alts: dict[str, str] | None = None,
) -> Featured:
    """Return a library image's Featured from its columns (models.Media's)."""
    widths = tuple(sorted(int(w) for w in variants.split()))
    return Featured(
        card_path(name, fingerprint), alts or {}, name, fingerprint, width, height, widths
    )


@dataclass(frozen=True, slots=True)
class Poster:
    """The picture an embed shows until the reader clicks it (posters.py keeps them)."""

    path: str
    width: int
    height: int


def media_names(source: str) -> set[str]:
    """Return the names of library files a Markdown source refers to (/media/<name>)."""
    return set(_NAME_IN_SOURCE.findall(source))


def enhance(
    html: str,
    language: str | None,
    library: dict[str, LibraryFile] | None,
    posters: dict[str, Poster] | None = None,
) -> str:
    """Return clean `html` with its library files and provider links made into media
    (embeds show their poster from `posters`, by player address, else a placeholder)."""
    library = library or {}
    posters = posters or {}
    language = language or ""
    html = _LINK_ALONE.sub(lambda m: _embed(m, language, posters) or m.group(0), html)
    html = _ALONE.sub(lambda m: _block(m, language, library), html)
    first = [True]

    def inline(match: re.Match) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        found = _library_file(attributes.get("src", ""), library)
        eager, first[0] = first[0], False
        if found is not None and found.kind == "image":
            return _picture(found, attributes.get("alt", ""), language, eager)
        if found is not None:
            text = unescape(attributes.get("alt", "")) or found.name
            return f'<a href="{MEDIA_PREFIX}{found.name}">{escape(text)}</a>'
        if not eager and "loading" not in attributes:
            return match.group(0)[:-1] + ' loading="lazy">'
        return match.group(0)

    return _IMG.sub(inline, html)


def _library_file(src: str, library: dict[str, LibraryFile]) -> LibraryFile | None:
    src = unescape(src)
    if not src.startswith(MEDIA_PREFIX):
        return None
    return library.get(src[len(MEDIA_PREFIX) :])


def _block(match: re.Match, language: str, library: dict[str, LibraryFile]) -> str:
    """Turn an image alone in its paragraph into a figure, a player or a captioned picture."""
    attributes = dict(_ATTRIBUTE.findall(match.group(1)))
    found = _library_file(attributes.get("src", ""), library)
    if found is None:
        return match.group(0)
    _alt, caption, transcript = found.words(language)
    if found.kind in ("audio", "video"):
        return _player(found, unescape(attributes.get("alt", "")) or caption, transcript, language)
    if found.kind != "image" or not caption:
        return match.group(0)  # the inline pass makes it a picture (or a link)
    return f"<figure>{match.group(1)}<figcaption>{escape(caption)}</figcaption></figure>"


def _picture(found: LibraryFile, alt: str, language: str, eager: bool) -> str:
    alt = unescape(alt) or found.words(language)[0]
    size = f' width="{found.width}" height="{found.height}"' if found.width else ""
    loading = "" if eager else ' loading="lazy"'
    if found.extension == "gif":  # perhaps animated: shown as it is
        return f'<img src="{found.variant()}" alt="{escape(alt)}"{size}{loading}>'
    widths = [w for w in found.widths if found.width and w < found.width]

    def srcset(extension: str) -> str:
        candidates = [f"{found.variant(extension, w)} {w}w" for w in widths]
        candidates.append(f"{found.variant(extension)} {found.width or 0}w")
        return ", ".join(candidates)

    return (
        f'<picture><source type="image/webp" srcset="{srcset("webp")}" sizes="{SIZES}">'
        f'<img src="{found.variant()}" srcset="{srcset(found.extension)}" sizes="{SIZES}" '
        f'alt="{escape(alt)}"{size}{loading} decoding="async"></picture>'
    )


def _player(found: LibraryFile, caption: str, transcript: str, language: str) -> str:
    tag = "audio" if found.kind == "audio" else "video"
    with force_locale(language or "en"):
        fallback = _("Download the file")
        transcript_title = _("Transcript")
    parts = [
        f'<figure class="player"><{tag} controls preload="none" src="{MEDIA_PREFIX}'
        f'{found.name}"><a href="{MEDIA_PREFIX}{found.name}">{escape(fallback)}</a></{tag}>'
    ]
    if caption:
        parts.append(f"<figcaption>{escape(caption)}</figcaption>")
    if transcript:
        paragraphs = "".join(
            f"<p>{escape(p.strip())}</p>" for p in re.split(r"\n\s*\n", transcript) if p.strip()
        )
        parts.append(
            f"<details><summary>{escape(transcript_title)}</summary>{paragraphs}</details>"
        )
    parts.append("</figure>")
    return "".join(parts)


# Providers: name, kind, and the player's address for a page's address (or None).
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
FRAME_HOSTS = (
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "www.dailymotion.com",
    "w.soundcloud.com",
)


def player_of(url: str, peertube_hosts: tuple[str, ...] = ()) -> tuple[str, str, str] | None:
    """Return (provider, kind, player address) for a provider's page address, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    path = [p for p in parts.path.split("/") if p]
    query = parse_qs(parts.query)
    if host in ("youtube.com", "youtu.be"):
        if host == "youtu.be" and path:
            video = path[0]
        elif path[:1] == ["watch"]:
            video = query.get("v", [""])[0]
        elif len(path) == 2 and path[0] in ("embed", "shorts", "live"):
            video = path[1]
        else:
            return None
        if YOUTUBE_ID.match(video):
            return "YouTube", "video", f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1"
    elif host == "vimeo.com" and path and path[-1].isdigit() and path[-1].isascii():
        return "Vimeo", "video", f"https://player.vimeo.com/video/{path[-1]}?autoplay=1&dnt=1"
    elif host in ("dailymotion.com", "dai.ly") and path:
        video = path[-1] if host == "dai.ly" or path[0] == "video" else ""
        video = video.split("_")[0]
        if re.fullmatch(r"[a-zA-Z0-9]{5,12}", video):
            return (
                "Dailymotion",
                "video",
                f"https://www.dailymotion.com/embed/video/{video}?autoplay=1",
            )
    elif host == "soundcloud.com" and len(path) >= 2:
        if all(re.fullmatch(r"[A-Za-z0-9_-]{1,100}", p) for p in path):
            page = quote(f"https://soundcloud.com/{'/'.join(path)}", safe="")
            return (
                "SoundCloud",
                "audio",
                f"https://w.soundcloud.com/player/?url={page}&auto_play=true",
            )
    elif parts.hostname.lower() in peertube_hosts and (
        (path[:1] == ["w"] and len(path) == 2) or path[:2] == ["videos", "watch"]
    ):
        video = path[-1]
        if re.fullmatch(r"[A-Za-z0-9-]{8,40}", video):
            origin = f"https://{parts.hostname.lower()}"
            return "PeerTube", "video", f"{origin}/videos/embed/{video}?autoplay=1"
    return None


def peertube_hosts() -> tuple[str, ...]:
    """Return the PeerTube instances whose videos become embeds (EMBED_PEERTUBE_HOSTS)."""
    if not has_app_context():
        return ()
    return tuple(h.lower() for h in current_app.config.get("EMBED_PEERTUBE_HOSTS", ()))


def frame_hosts() -> tuple[str, ...]:
    """Return every host an embed may load a player from: the CSP's frame-src."""
    return FRAME_HOSTS + peertube_hosts()


def _embed(match: re.Match, language: str, posters: dict[str, Poster]) -> str | None:
    url = unescape(match.group(1) or match.group(2))
    found = player_of(url, peertube_hosts())
    if found is None:
        return None
    name, kind, player = found
    with force_locale(language or "en"):
        if kind == "audio":
            label = _("Listen on %(provider)s", provider=name)
        else:
            label = _("Watch the video on %(provider)s", provider=name)
        notice = _("Playing it loads %(provider)s's player and its cookies.", provider=name)
    poster = posters.get(player)
    picture = (
        f'<img class="embed-poster" src="{escape(poster.path)}" alt="" width="{poster.width}" '
        f'height="{poster.height}" loading="lazy" decoding="async">'
        if poster is not None
        else ""
    )
    return (
        f'<figure class="embed embed-{kind}"><a class="embed-load'
        f'{" embed-has-poster" if poster else ""}" href="{escape(url)}" '
        f'data-embed="{escape(player)}" data-title="{escape(label)}">{picture}'
        f'<span class="embed-provider">{escape(name)}</span>'
        f'<span class="embed-label">{escape(label)}</span></a>'
        f"<figcaption>{escape(notice)}</figcaption></figure>"
    )
