"""What a valid value is, for every text and integer field anyone can type or import.

One definition, used by the desk's forms, the CLI, both importers and the query
strings, so that SQLite (which stores anything) and PostgreSQL (which refuses NUL
and over-long VARCHARs) see only values both accept:

- text fits its column (`max_length`, counted in characters as both databases do);
- control characters (NUL included) are refused: U+0000–U+001F but for tab, line
  feed and carriage return in multi-line text, U+007F, lone surrogates, U+FFFE and
  U+FFFF. One-line text turns tab, CR and LF into spaces and trims its ends;
  multi-line text writes every line ending as LF;
- integers are written with the ASCII digits 0–9 only (no "²", "③" or "٣", which
  Python's `int()` and `str.isdigit()` would let in), an optional minus sign when
  negatives make sense, and lie within the column's range (a 32-bit INTEGER).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from .models import MENU_LABEL_MAX, MENU_URL_MAX, OLD_PATH_MAX, SLUG_MAX, SLUG_RE
from .rendering import CONTROL_CHARACTERS, MAX_SOURCE_LENGTH

# INTEGER columns are 32-bit on PostgreSQL; SQLite takes 64 bits, and Python any size.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
_INTEGER = re.compile(r"-?[0-9]{1,12}", re.ASCII)
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


class FieldError(ValueError):
    """A value a field refuses; the message says which field and what to change."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Text:
    """A text field: its label, its column's length, and whether it holds lines."""

    label: object  # a lazy string, translated when a message is made
    max_length: int
    multiline: bool = False


@dataclass(frozen=True)
class Integer:
    label: object
    minimum: int = 1
    maximum: int = INT_MAX


# Every field, named as the forms and importers name it. Lengths are the columns' (models.py);
# Text columns get a bound of their own so that no request can store megabytes.
TITLE = Text(_l("Title"), 300)
SLUG = Text(_l("Slug"), SLUG_MAX)
SUMMARY = Text(_l("Summary"), 10_000, multiline=True)
SOURCE = Text(_l("Text (Markdown)"), MAX_SOURCE_LENGTH, multiline=True)
TERM_NAME = Text(_l("Name"), 200)
TERM_SLUG = SLUG
TAGS = Text(_l("Tags"), 10_000)
EMAIL = Text(_l("Email"), 254)
DISPLAY_NAME = Text(_l("Name"), 200)
PASSWORD = Text(_l("Password"), 1_000)
SEARCH = Text(_l("Search"), 200)
# A site's texts edited in the desk (sitesettings.py), by name.
SITE_TEXTS = {
    "title": Text(_l("Site title"), 200),
    "tagline": Text(_l("Tagline"), 300),
    "description": Text(_l("Description"), 500),
}
LANGUAGE = Text(_l("Language"), 16)
TRANSLATION_GROUP = Text(_l("Translation group"), 36)
SITE = Text(_l("Site"), 32)
OLD_PATH = Text(_l("Old address"), OLD_PATH_MAX)
OLD_QUERY = Text(_l("Old address"), 200)
# An item of a menu edited in the desk (menus.py): its label, and the address of a link.
MENU_LABEL = Text(_l("Label"), MENU_LABEL_MAX)
MENU_URL = Text(_l("Address"), MENU_URL_MAX)
MENU_ORDER = Integer(_l("Menu position"), INT_MIN, INT_MAX)
ID = Integer(_l("Identifier"), 1, INT_MAX)
# Seconds since 1970, up to the last second of year 9999 (what a datetime can hold).
ALT = Text(_l("Alt text"), 1000)
CAPTION = Text(_l("Caption"), 2000, multiline=True)
TRANSCRIPT = Text(_l("Transcript"), 100_000, multiline=True)
TIMESTAMP = Integer(_l("Time"), 0, 253_402_300_799)


def text(spec: Text, value: str, field: str = "") -> str:
    """Return `value` cleaned for `spec`, or raise FieldError saying what to change."""
    if not isinstance(value, str):
        raise FieldError(field, _("%(field)s: text is expected.", field=spec.label))
    if spec.multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    else:
        value = _LINE_BREAKS.sub(" ", value).strip()
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise FieldError(
            field,
            _(
                "%(field)s: a control character (U+%(code)04X) that text cannot hold; remove it.",
                field=spec.label,
                code=ord(found.group()),
            ),
        )
    if len(value) > spec.max_length:
        raise FieldError(
            field,
            _(
                "%(field)s: too long (%(length)d characters, %(max)d at most).",
                field=spec.label,
                length=len(value),
                max=spec.max_length,
            ),
        )
    return value


def slug(value: str, field: str = "slug") -> str:
    """Return a slug that follows the slug rule, or raise FieldError."""
    value = text(SLUG, value, field)
    if not SLUG_RE.fullmatch(value):
        raise FieldError(
            field,
            _(
                "The slug %(slug)s is not valid: use lowercase letters, digits and hyphens "
                "(at most %(max)d characters).",
                slug=value,
                max=SLUG_MAX,
            ),
        )
    return value


def parse_int(value: object, spec: Integer = ID) -> int | None:
    """Return the integer `value` writes in ASCII digits within `spec`'s range, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if spec.minimum <= number <= spec.maximum else None


def integer(spec: Integer, value: object, field: str = "") -> int:
    """Return the integer of `value`, or raise FieldError saying what is expected."""
    number = parse_int(value, spec)
    if number is None:
        raise FieldError(
            field,
            _(
                "%(field)s: a whole number written with the digits 0 to 9, between %(min)d and "
                "%(max)d.",
                field=spec.label,
                min=spec.minimum,
                max=spec.maximum,
            ),
        )
    return number


def password(value: str, field: str = "new_password") -> str:
    """Return a new password if its length is allowed (only its hash is stored: any character
    goes), or raise FieldError."""
    if len(value) > PASSWORD.max_length:
        raise FieldError(
            field,
            _(
                "%(field)s: too long (%(length)d characters, %(max)d at most).",
                field=PASSWORD.label,
                length=len(value),
                max=PASSWORD.max_length,
            ),
        )
    return value


def search_text(value: str) -> str:
    """Return a search as it is run: control characters dropped, cut to its field's length."""
    return _LINE_BREAKS.sub(" ", CONTROL_CHARACTERS.sub("", value)).strip()[: SEARCH.max_length]


class IdConverter(IntegerConverter):
    """The `int` of URL rules: ASCII digits only, within an INTEGER column's range (else 404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if signed:
            self.regex = r"-?[0-9]+"
