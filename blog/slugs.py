"""Slugs suggested from titles."""

from __future__ import annotations

import re
import unicodedata

from .models import SLUG_MAX

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Return an ASCII slug for `text` ("Les Rivières d'été" → "les-rivieres-d-ete")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_ALNUM.sub("-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")
