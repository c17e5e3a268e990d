"""Slugs: the one slugify of the importers, the desk and the editor; reserved and free slugs.

A slug is ASCII (`a-z`, `0-9`, `-`): titles in any Latin script lose their accents, ligatures
are spelled out (« Cœur de ville » → `coeur-de-ville`, ß → `ss`), apostrophes and other
punctuation separate words (« L’été » → `l-ete`), and Greek and Cyrillic are transliterated
(ELOT 743 and a BGN/PCGN-like table, simplified to one spelling per letter).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from itertools import chain, count

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import SLUG_MAX, Post

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Words a page slug cannot take, because public URLs use them.
# The book site's sections (blog/sections/pages.py) answer at their own addresses too.
SECTION_SLUGS = frozenset(
    {"rencontres", "revue-de-presse", "espace-presse", "chapitres", "liaisons-artistiques"}
)
RESERVED_SLUGS = frozenset(
    {
        "category",
        "tag",
        "archive",
        "admin",
        "static",
        "media",
        "language",
        "only",
        "feed",
        *SECTION_SLUGS,
    }
)

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


def is_reserved(slug: str, languages: Iterable[str]) -> bool:
    """Return whether a page cannot take `slug`, because the sites' own addresses use it.

    A page's address is `/{language}/{slug}/`, beside the terms, feeds, archives by year and
    the language prefixes themselves.
    """
    return slug in RESERVED_SLUGS or slug in languages or slug.isdigit()


def free_slug(
    session: Session,
    base: str,
    language: str,
    *,
    page: bool = False,
    languages: Iterable[str] = (),
    qualifier: str = "",
    taken: Callable[[str, str], bool] | None = None,
) -> str:
    """Return the first slug, from `base` on, that no post in `language` has.

    The next tries are base-2, base-3… or, with a qualifier (a language code), base-fr,
    base-fr-2…; a page also skips the reserved slugs (is_reserved). `taken(language, slug)`
    answers instead of the database when given (an import's moving.batches.StoreIndex).
    """
    languages = frozenset(languages)
    head = f"-{qualifier}" if qualifier else ""
    tries = chain(
        [base],
        [_suffixed(base, head)] if head else [],
        (_suffixed(base, f"{head}-{n}") for n in count(2)),
    )

    def free(slug: str) -> bool:
        if page and is_reserved(slug, languages):
            return False
        if taken is not None:
            return not taken(language, slug)
        found = select(Post.id).where(Post.language == language, Post.slug == slug)
        return session.scalar(found) is None

    return next(slug for slug in tries if free(slug))


def _suffixed(base: str, suffix: str) -> str:
    """Return base + suffix, cutting base so that the slug stays within SLUG_MAX."""
    return base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
