"""The desk's forms for the book site's sections: each section a list of typed fields.

One shape for every section (talks, press reviews, …), like the desk's other forms: values are
kept as typed, so that a refused form comes back intact; each value is checked by its field's
kind with blog/fields.py's checks, one message per field, in the author's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from werkzeug.datastructures import MultiDict

from .. import fields
from ..sections import files
from ..sections.models import (
    FILE_MAX,
    NAME_MAX,
    URL_MAX,
    Chapter,
    PressFile,
    PressFileKind,
    PressReview,
    Talk,
)
from .desk import local, timezone
from .forms import TIME_FORMAT, Form

DATE_FORMAT = "%Y-%m-%d"
TEXT_MAX = 20_000


@dataclass(frozen=True)
class Field:
    """One field of a section's form: its column, label, kind and limits."""

    name: str
    label: object
    # line, text (several lines), url, datetime, date, bool, int, choice, file
    kind: str = "line"
    required: bool = False
    max_length: int = NAME_MAX
    help: object = None
    # For a choice: (value, label) pairs, or a function that returns them when the form is
    # shown; for a file: the extensions it takes (empty: any).
    choices: tuple | Callable[[], list] = ()
    extensions: frozenset = frozenset()
    # A value of its own shape: parse(text) returns it or raises ValueError(message), and
    # show(value) writes it back as the form shows it.
    parse: Callable[[str], Any] | None = None
    show: Callable[[Any], str] | None = None

    def options(self) -> list:
        """Return the (value, label) pairs a choice offers."""
        return list(self.choices() if callable(self.choices) else self.choices)

    def shown(self, value: Any) -> str:
        """Return a stored value as the form shows it."""
        if self.show is not None:
            return self.show(value)
        if value is None:
            return ""
        if self.kind == "bool":
            return "1" if value else ""
        if self.kind == "datetime":
            return local(value).strftime(TIME_FORMAT)
        if self.kind == "date":
            return value.strftime(DATE_FORMAT)
        return str(value)


@dataclass(frozen=True)
class Section:
    """A section of the book site as the desk manages it."""

    key: str
    model: type
    title: object
    new_label: object
    fields: tuple[Field, ...]
    order: Callable[[], Select]
    # What names a row in the desk's list, and what dates it.
    name_of: Callable[[Any], str]
    when_of: Callable[[Any], Any]
    # Checks across fields: (clean values, the row or None) -> {field: message}.
    check: Callable[[dict, Any], dict[str, str]] = lambda clean, row: {}
    # Writes the clean values to a row; by default each to the column of its name.
    apply: Callable[[Any, dict], None] | None = None


@dataclass
class SectionForm(Form):
    """A row of a section, as typed."""

    section: Section | None = None

    @classmethod
    def from_row(cls, section: Section, row) -> SectionForm:
        return cls({f.name: f.shown(getattr(row, f.name)) for f in section.fields}, section=section)

    @classmethod
    def from_request(cls, form: MultiDict, section: Section | None = None) -> SectionForm:
        return cls({f.name: form.get(f.name, "") for f in section.fields}, section=section)

    def validate(self, row=None) -> bool:
        """Check every value by its field's kind; fill `clean` or `errors`."""
        for spec in self.section.fields:
            value = self._clean(spec, self.values[spec.name])
            if spec.name not in self.errors:
                self.clean[spec.name] = value
        if not self.errors:
            self.errors.update(self.section.check(self.clean, row))
        return not self.errors

    def _clean(self, spec: Field, raw: str):
        if spec.kind == "bool":
            return raw == "1"
        multiline = spec.kind == "text"
        text = self.checked(
            spec.name, fields.text, fields.Text(spec.label, spec.max_length, multiline), raw
        )
        if text is None:
            return None
        text = text.strip()
        if not text:
            if spec.required:
                self.errors[spec.name] = _("%(field)s: required.", field=spec.label)
            return None if spec.kind in ("datetime", "date") else ""
        if spec.kind == "int":
            return self.checked(spec.name, fields.integer, fields.Integer(spec.label, 0), text)
        if spec.parse is not None:
            try:
                return spec.parse(text)
            except ValueError as refusal:
                self.errors[spec.name] = str(refusal)
                return None
        if spec.kind == "choice" and text not in {value for value, _label in spec.options()}:
            self.errors[spec.name] = _("Choose one of the values offered.")
        elif spec.kind == "file":
            found = files.find(text)
            if found is None:
                self.errors[spec.name] = _(
                    "%(field)s: there is no file of this name in the media folder.",
                    field=spec.label,
                )
            elif spec.extensions and found.extension not in spec.extensions:
                self.errors[spec.name] = _(
                    "%(field)s: a file of one of these types: %(types)s.",
                    field=spec.label,
                    types=", ".join(sorted(spec.extensions)),
                )
        elif spec.kind == "url":
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
                self.errors[spec.name] = _(
                    "%(field)s: a web address starting with https:// or http://.",
                    field=spec.label,
                )
        elif spec.kind == "datetime":
            try:
                return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=timezone())
            except ValueError:
                self.errors[spec.name] = _(
                    "%(field)s: write a date and time as YYYY-MM-DD HH:MM, for example "
                    "2025-06-05T18:30.",
                    field=spec.label,
                )
        elif spec.kind == "date":
            try:
                return date.fromisoformat(text)
            except ValueError:
                self.errors[spec.name] = _(
                    "%(field)s: write a date as YYYY-MM-DD, for example 2025-04-22.",
                    field=spec.label,
                )
        return text

    def apply(self, row) -> None:
        """Write the clean values to the row."""
        if self.section.apply is not None:
            self.section.apply(row, self.clean)
            return
        for name, value in self.clean.items():
            setattr(row, name, value)


def _talk_check(clean: dict, row=None) -> dict[str, str]:
    ends, starts = clean.get("ends_at"), clean.get("starts_at")
    if ends is not None and starts is not None and ends <= starts:
        return {"ends_at": _("The end must come after the start.")}
    return {}


PUBLISHED = Field(
    "published",
    _l("Published"),
    "bool",
    help=_l("Unchecked, the entry stays in the desk and no reader sees it."),
)

FILE_HELP = _l("The file's name in the media folder (its address is /media/<name>).")
PRESS_FILE_KINDS = (
    (PressFileKind.PRESS_RELEASE, _l("Press release")),
    (PressFileKind.SUMMARY, _l("Summary")),
    (PressFileKind.IMAGE, _l("Image")),
    (PressFileKind.BIOGRAPHY, _l("Biography")),
    (PressFileKind.OTHER, _l("Other")),
)

SECTIONS: dict[str, Section] = {
    section.key: section
    for section in (
        Section(
            "talks",
            Talk,
            _l("Talks"),
            _l("New talk"),
            (
                Field("title", _l("Title"), required=True, max_length=300),
                Field("starts_at", _l("Starts at"), "datetime", required=True),
                Field("ends_at", _l("Ends at"), "datetime", help=_l("Optional.")),
                Field("place", _l("Place"), help=_l("A bookshop, a library, a festival…")),
                Field("address", _l("Address"), max_length=300),
                Field("city", _l("City")),
                Field("url", _l("Link"), "url", max_length=URL_MAX),
                Field("registration_url", _l("Registration link"), "url", max_length=URL_MAX),
                Field("description", _l("Description"), "text", max_length=TEXT_MAX),
                PUBLISHED,
            ),
            lambda: select(Talk).order_by(Talk.starts_at.desc(), Talk.id.desc()),
            lambda talk: talk.title,
            lambda talk: talk.starts_at,
            _talk_check,
        ),
        Section(
            "press-reviews",
            PressReview,
            _l("Press reviews"),
            _l("New press review"),
            (
                Field("outlet", _l("Outlet"), required=True),
                Field("author", _l("Author of the review")),
                Field("published_on", _l("Date"), "date", required=True),
                Field("url", _l("Link to the source"), "url", max_length=URL_MAX),
                Field(
                    "quote",
                    _l("Quotation"),
                    "text",
                    required=True,
                    max_length=TEXT_MAX,
                    help=_l("Plain text; a blank line separates paragraphs."),
                ),
                PUBLISHED,
            ),
            lambda: select(PressReview).order_by(
                PressReview.published_on.desc(), PressReview.id.desc()
            ),
            lambda review: review.outlet,
            lambda review: review.published_on,
        ),
        Section(
            "press-kit",
            PressFile,
            _l("Press kit"),
            _l("New file of the press kit"),
            (
                Field("title", _l("Title"), required=True, max_length=300),
                Field("kind", _l("Type"), "choice", required=True, choices=PRESS_FILE_KINDS),
                Field(
                    "file", _l("File"), "file", required=True, max_length=FILE_MAX, help=FILE_HELP
                ),
                Field("description", _l("Short description"), "text", max_length=TEXT_MAX),
                Field("credit", _l("Credit")),
                Field("position", _l("Position"), "int", required=True),
                PUBLISHED,
            ),
            lambda: select(PressFile).order_by(PressFile.position, PressFile.id),
            lambda item: item.title,
            lambda item: None,
        ),
        Section(
            "chapters",
            Chapter,
            _l("Chapter slides"),
            _l("New chapter"),
            (
                Field("number", _l("Number"), "int", required=True),
                Field("title", _l("Title"), required=True, max_length=300),
                Field(
                    "summary",
                    _l("Summary"),
                    "text",
                    max_length=TEXT_MAX,
                    help=_l("Plain text; a blank line separates paragraphs."),
                ),
                Field(
                    "slides",
                    _l("Slides"),
                    "file",
                    max_length=FILE_MAX,
                    extensions=files.SLIDE_EXTENSIONS,
                    help=FILE_HELP,
                ),
                PUBLISHED,
            ),
            lambda: select(Chapter).order_by(Chapter.number, Chapter.id),
            lambda chapter: f"{chapter.number}. {chapter.title}",
            lambda chapter: None,
        ),
    )
}
