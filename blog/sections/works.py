"""The works inspired by the book: their images and recordings, and their schema.org data.

An image or a recording names a file of the media folder, as the press kit does (files.find);
an image's size is read from the file once, when the work is saved, so that pages give every
<img> its width and height without opening files.
"""

from __future__ import annotations

from PIL import Image, UnidentifiedImageError

from ..sites import Site
from .calendar import book_item
from .files import FileInfo
from .models import Work

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp", "gif"})
# What plays a recording of each extension, in the page and in schema.org.
PLAYERS = {"mp4": "video", "webm": "video", "mp3": "audio", "ogg": "audio", "m4a": "audio",
           "wav": "audio"}  # fmt: skip
MEDIA_EXTENSIONS = frozenset(PLAYERS)


def image_size(info: FileInfo) -> tuple[int, int] | None:
    """Return an image file's (width, height), or None when it is not an image Pillow reads."""
    try:
        with Image.open(info.path) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def player(name: str) -> str:
    """Return the element that plays a recording: "video" or "audio" ("" for no file)."""
    return PLAYERS.get(name.rpartition(".")[2].lower(), "") if name else ""


def creative_work(site: Site, work: Work, page_url: str, chapter: str = "") -> dict:
    """Return the schema.org CreativeWork of a work: its artist, images, recording and the
    book (and chapter) it answers."""
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": work.title,
        "url": page_url,
        "creator": {"@type": "Person", "name": work.artist},
        "isBasedOn": book_item(site),
        "inLanguage": site.default_language,
    }
    if chapter:
        data["about"] = chapter
    if work.images:
        data["image"] = [
            {
                "@type": "ImageObject",
                "contentUrl": f"{site.url}{image.url}",
                "width": image.width,
                "height": image.height,
                "caption": image.alt,
            }
            for image in work.images
        ]
    kind = player(work.media)
    if kind:
        recording = {
            "@type": "VideoObject" if kind == "video" else "AudioObject",
            "name": work.title,
            "contentUrl": f"{site.url}/media/{work.media}",
        }
        if work.transcript:
            recording["transcript"] = work.transcript
        data["associatedMedia"] = recording
    elif work.link:
        data["associatedMedia"] = {"@type": "MediaObject", "name": work.title, "url": work.link}
    return data


def social_tags(tags: list[tuple[str, str]], site: Site, work: Work) -> list[tuple[str, str]]:
    """Return a page's Open Graph and Twitter tags made a work's: its title and first image."""
    own = {"og:title": work.title, "twitter:title": work.title}
    if work.images:
        own["og:image"] = f"{site.url}{work.images[0].url}"
        own["twitter:card"] = "summary_large_image"
    found = [(name, own.pop(name, value)) for name, value in tags]
    extra = list(own.items())
    if work.images:
        image = work.images[0]
        extra += [("og:image:width", str(image.width)), ("og:image:height", str(image.height)),
                  ("og:image:alt", image.alt)]  # fmt: skip
    return found + extra
