"""Slugs suggested from titles: the one slugify of the importers, the desk and the editor.

A slug is ASCII (`a-z`, `0-9`, `-`): titles in any Latin script lose their accents, ligatures
are spelled out (« Cœur de ville » → `coeur-de-ville`, ß → `ss`), apostrophes and other
punctuation separate words (« L’été » → `l-ete`), and Greek and Cyrillic are transliterated
(ELOT 743 and a BGN/PCGN-like table, simplified to one spelling per letter).
"""

from __future__ import annotations

import re
import unicodedata

from .models import SLUG_MAX

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Letters that Unicode's decomposition does not bring to ASCII, in lower case. Accents are
# removed first (NFKD), so that ά, ё, й reach this table as α, е, и.
_SPELLED = {
    # Latin ligatures and letters of their own
    "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
    "ħ": "h", "ı": "i", "ŋ": "ng", "ſ": "s", "ĳ": "ij",
    # Greek
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o",
    # Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian, Serbian)
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "є": "ye",
    "і": "i", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c",
    "џ": "dz", "ѕ": "dz",
}  # fmt: skip
_TABLE = str.maketrans(_SPELLED)


def slugify(text: str) -> str:
    """Return an ASCII slug for `text` ("Les Rivières d’été" → "les-rivieres-d-ete")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    # What is left outside ASCII (typographic apostrophes, dashes, other scripts) separates.
    slug = _NOT_ALNUM.sub("-", bare.translate(_TABLE)).strip("-")
    return slug[:SLUG_MAX].rstrip("-")
