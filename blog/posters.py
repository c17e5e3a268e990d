"""Posters of embedded videos and sounds: fetched once, when a text is saved, and kept here.

A provider's link alone in its paragraph becomes a click-to-load embed (mediahtml.py) that
shows a poster: the provider's own picture of the video when one was fetched, else a neutral
placeholder with the provider's name. The picture is asked for when the author saves the
text (`fetch_missing`), never when a reader opens a page: YouTube's from its known address,
the others' through their oEmbed endpoint (`thumbnail_url`), each with a short timeout and a
size limit (EMBED_POSTER_*). It is opened with Pillow and encoded again as a plain JPEG of a
fixed size (nothing of the original file is served, no metadata), stored under
media/posters/ with a fingerprint in its name (cached for ever by /media/), and found again by
`stored` when the text is rendered. Offline, refused or broken: the placeholder, and the next
save tries again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.parse import quote, urlsplit
from urllib.request import (
    HTTPDefaultErrorHandler,
    HTTPErrorProcessor,
    HTTPHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    Request,
)

from flask import current_app, has_app_context
from PIL import Image, ImageOps, UnidentifiedImageError

from .config import media_dir
from .mediahtml import Poster, peertube_hosts, player_of

FOLDER = "posters"
# Every poster has one size per kind, so that pages give it width and height without asking.
SIZES = {"video": (640, 360), "audio": (360, 360)}
# An oEmbed answer is a small JSON document.
OEMBED_MAX_SIZE = 64 * 1024
_URL = re.compile(r"""https?://[^\s<>"'()\[\]]+""")
_TAKEN_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


class PosterUnavailable(Exception):
    """The provider's picture could not be had (offline, refused, too large, not a picture)."""


@dataclass(frozen=True, slots=True)
class Video:
    """An embeddable page of a provider: what a poster is fetched and stored for."""

    url: str
    provider: str
    kind: str
    player: str

    @property
    def key(self) -> str:
        """Return the stem of the poster's file: the provider and a digest of the player."""
        digest = hashlib.sha256(self.player.encode()).hexdigest()[:16]
        return f"{self.provider.lower()}-{digest}"


def videos_in(source: str) -> list[Video]:
    """Return the providers' pages a text links to, each once, in the order of the text."""
    hosts = peertube_hosts()
    found: dict[str, Video] = {}
    for match in _URL.finditer(source):
        url = match.group(0).rstrip(".,;:!?")
        player = player_of(url, hosts)
        if player is not None and player[2] not in found:
            found[player[2]] = Video(url, *player)
    return list(found.values())


def stored(source: str) -> dict[str, Poster]:
    """Return the posters already kept for a text's embeds, by player address (no fetch)."""
    if not has_app_context():
        return {}
    posters = {}
    for video in videos_in(source):
        poster = _kept(video)
        if poster is not None:
            posters[video.player] = poster
    return posters


def fetch_missing(source: str) -> list[str]:
    """Fetch and keep the posters a text's embeds lack (when EMBED_POSTERS is on).

    Return the pages whose poster could not be had: they keep the placeholder for now.
    """
    if not current_app.config["EMBED_POSTERS"]:
        return []
    failed = []
    for video in videos_in(source):
        if _kept(video) is not None:
            continue
        try:
            keep(video, fetch(video))
        except PosterUnavailable as error:
            current_app.logger.info("No poster for %s: %s", video.url, error)
            failed.append(video.url)
    return failed


def fetch(video: Video) -> bytes:
    """Return the provider's picture of a video, as sent (PosterUnavailable if it cannot)."""
    sources = current_app.config["EMBED_POSTER_SOURCES"]
    template = sources.get(video.provider)
    if not template:
        raise PosterUnavailable(f"no source configured for {video.provider}")
    values = {
        "url": quote(video.url, safe=""),
        "host": urlsplit(video.url).hostname or "",
        "id": video.player.rpartition("/embed/")[2].partition("?")[0],
    }
    address = template.format(**values)
    if video.provider == "YouTube":
        return _get(address, current_app.config["EMBED_POSTER_MAX_SIZE"])
    try:
        answer = json.loads(_get(address, OEMBED_MAX_SIZE))
    except (ValueError, UnicodeDecodeError):
        raise PosterUnavailable("the oEmbed answer is not JSON") from None
    picture = answer.get("thumbnail_url") if isinstance(answer, dict) else None
    if not isinstance(picture, str) or urlsplit(picture).scheme not in ("http", "https"):
        raise PosterUnavailable("the oEmbed answer names no picture")
    return _get(picture, current_app.config["EMBED_POSTER_MAX_SIZE"])


def keep(video: Video, data: bytes) -> Poster:
    """Store a provider's picture as the video's poster: opened, fitted, encoded again."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in _TAKEN_FORMATS:
                    raise PosterUnavailable(f"a picture in {image.format} is not taken")
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        raise PosterUnavailable(f"not a picture Pillow can read ({error})") from None
    size = SIZES[video.kind]
    fitted = ImageOps.fit(picture, size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fitted.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    encoded = out.getvalue()
    fingerprint = hashlib.sha256(encoded).hexdigest()[:10]
    folder = media_dir() / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{video.key}.{fingerprint}.jpg"
    temporary = target.with_name(f".{target.name}.part")
    temporary.write_bytes(encoded)
    os.replace(temporary, target)
    for older in folder.glob(f"{video.key}.*.jpg"):
        if older != target:
            older.unlink(missing_ok=True)
    return Poster(f"/media/{FOLDER}/{target.name}", *size)


def _kept(video: Video) -> Poster | None:
    folder = media_dir() / FOLDER
    found = sorted(folder.glob(f"{video.key}.*.jpg")) if folder.is_dir() else []
    if not found:
        return None
    newest: Path = max(found, key=lambda p: p.stat().st_mtime)
    return Poster(f"/media/{FOLDER}/{newest.name}", *SIZES[video.kind])


def _opener() -> OpenerDirector:
    """Return an opener of http and https only (no file:, no ftp:, even after a redirect)."""
    opener = OpenerDirector()
    for handler in (
        HTTPHandler(),
        HTTPSHandler(),
        HTTPRedirectHandler(),
        HTTPDefaultErrorHandler(),
        HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _get(address: str, limit: int) -> bytes:
    """Return the body at an address, at most `limit` bytes, within the configured time."""
    if urlsplit(address).scheme not in ("http", "https"):
        raise PosterUnavailable(f"not a web address: {address}")
    request = Request(address, headers={"User-Agent": "blog-poster-fetcher/1"})
    timeout = current_app.config["EMBED_POSTER_TIMEOUT"]
    try:
        with _opener().open(request, timeout=timeout) as r:
            if r.status != 200:
                raise PosterUnavailable(f"{address} answered {r.status}")
            length = r.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise PosterUnavailable(f"{address} is larger than {limit} bytes")
            data = _read(r, limit, time.monotonic() + timeout)
    except (URLError, OSError, ValueError) as error:
        raise PosterUnavailable(f"{address}: {error}") from None
    if len(data) > limit:
        raise PosterUnavailable(f"{address} is larger than {limit} bytes")
    return data


def _read(response, limit: int, deadline: float) -> bytes:
    """Read at most limit + 1 bytes, giving up at the deadline (a server sending slowly)."""
    chunks, size = [], 0
    while size <= limit:
        if time.monotonic() > deadline:
            raise PosterUnavailable("too slow")
        chunk = response.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
