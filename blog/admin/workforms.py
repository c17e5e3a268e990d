"""The desk's form for the works inspired by the book (« Les liaisons artistiques »).

A work is a section like the others (sectionforms.Section) with values of its own shape: its
images, one a line as "file | alt text", each a file of the media folder that Pillow reads
(its size is kept) and whose alt text is required; the chapter it answers, chosen from the
chapters; and its text, Markdown rendered at save by blog/rendering.py.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import db, posters, rendering
from ..sections import files, works
from ..sections.models import FILE_MAX, URL_MAX, Chapter, Work, WorkImage
from ..slugs import slugify
from .sectionforms import FILE_HELP, PUBLISHED, TEXT_MAX, Field, Section

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_IMAGES = 20
ALT_MAX = 500


def parse_images(text: str) -> list[tuple[str, str, int, int]]:
    """Return (file, alt text, width, height) of each line "file | alt text", or raise
    ValueError naming the first line refused and why."""
    found = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_IMAGES:
        raise ValueError(_("At most %(count)d images.", count=MAX_IMAGES))
    for number, line in enumerate(lines, start=1):
        name, _bar, alt = (part.strip() for part in line.partition("|"))
        info = files.find(name)
        if info is None:
            raise ValueError(
                _(
                    "Image %(number)d: there is no file of this name in the media folder.",
                    number=number,
                )
            )
        size = works.image_size(info) if info.extension in works.IMAGE_EXTENSIONS else None
        if size is None:
            raise ValueError(_("Image %(number)d: a JPEG, PNG, WebP or GIF image.", number=number))
        if not alt:
            raise ValueError(
                _(
                    "Image %(number)d: write its alt text after a bar: %(example)s",
                    number=number,
                    example=f"{name} | …",
                )
            )
        if len(alt) > ALT_MAX:
            raise ValueError(
                _(
                    "Image %(number)d: the alt text is longer than %(max)d characters.",
                    number=number,
                    max=ALT_MAX,
                )
            )
        found.append((name, alt, *size))
    return found


def show_images(images) -> str:
    """Return images (rows, or parsed tuples) as the form shows them, one a line."""
    if not images:
        return ""
    return "\n".join(
        f"{image.file} | {image.alt}"
        if isinstance(image, WorkImage)
        else f"{image[0]} | {image[1]}"
        for image in images
    )


def chapter_choices() -> list[tuple[str, str]]:
    """Return the chapters a work can answer, in the book's order, after "none"."""
    rows = db.session().execute(
        select(Chapter.id, Chapter.number, Chapter.title).order_by(Chapter.number, Chapter.id)
    )
    return [("", _("No chapter"))] + [
        (str(id_), f"{number}. {title}") for id_, number, title in rows
    ]


def parse_slug(text: str) -> str:
    """Return a work's slug as typed, or raise ValueError if it is not one."""
    if not SLUG.match(text) or len(text) > 120:
        raise ValueError(
            _(
                "Address: lowercase letters, digits and hyphens, for example %(example)s.",
                example="la-riviere-sous-la-ville",
            )
        )
    return text


def _check(clean: dict, row) -> dict[str, str]:
    """Give an empty slug the work's own or the title's, refuse one another work has, and
    render the text."""
    errors = {}
    slug = clean.get("slug") or (row.slug if row is not None else "")
    slug = slug or slugify(clean.get("title") or "")
    if not slug:
        errors["slug"] = _("Address: required.")
    else:
        other = db.session().scalar(select(Work.id).where(Work.slug == slug))
        if other is not None and (row is None or other != row.id):
            errors["slug"] = _("Another work has this address: choose another one.")
        clean["slug"] = slug
    try:
        source = clean.get("source") or ""
        # The work is being saved: its embeds' posters are fetched now, if they can be.
        posters.fetch_missing(source)
        clean["source"] = rendering.render(source, "fr", posters=posters.stored(source))
    except rendering.RenderError as refusal:
        errors["source"] = str(refusal)
    return errors


def _apply(row: Work, clean: dict) -> None:
    """Write a work's clean values: its columns, its rendered text, its images."""
    for name in ("title", "slug", "artist", "media", "transcript", "link", "position", "published"):
        setattr(row, name, clean[name])
    row.chapter_id = int(clean["chapter_id"]) if clean["chapter_id"] else None
    rendered = clean["source"]
    row.set_source(rendered.source, rendered)
    row.set_images(clean["images"])


WORKS = Section(
    "works",
    Work,
    _l("Artistic liaisons"),
    _l("New work"),
    (
        Field("title", _l("Title"), required=True, max_length=300),
        Field(
            "slug",
            _l("Address"),
            max_length=120,
            parse=parse_slug,
            help=_l("The end of the work's address; empty, it is made from the title."),
        ),
        Field("artist", _l("Artist"), required=True),
        Field(
            "chapter_id",
            _l("Chapter it responds to"),
            "choice",
            choices=chapter_choices,
            show=lambda value: "" if value is None else str(value),
        ),
        Field(
            "images",
            _l("Images"),
            "text",
            max_length=TEXT_MAX,
            parse=parse_images,
            show=show_images,
            help=_l(
                "One image a line: its name in the media folder, a bar, then its alt text "
                "(required), for example: liaisons/fresque.jpg | A fresco of a river under a "
                "street."
            ),
        ),
        Field(
            "media",
            _l("Video or audio file"),
            "file",
            max_length=FILE_MAX,
            extensions=works.MEDIA_EXTENSIONS,
            help=FILE_HELP,
        ),
        Field(
            "transcript",
            _l("Transcript"),
            "text",
            max_length=TEXT_MAX,
            help=_l("What the video or audio says, for readers who cannot hear it."),
        ),
        Field(
            "link",
            _l("Link to the video or audio elsewhere"),
            "url",
            max_length=URL_MAX,
        ),
        Field(
            "source",
            _l("Text"),
            "text",
            max_length=rendering.MAX_SOURCE_LENGTH,
            help=_l("Markdown."),
        ),
        Field("position", _l("Position"), "int", required=True),
        PUBLISHED,
    ),
    lambda: select(Work).order_by(Work.position, Work.id),
    lambda work: f"{work.title} ({work.artist})",
    lambda work: None,
    _check,
    _apply,
)
