"""Words as the search index sees them: folded, split, stripped of common words, stemmed.

The same analysis reads a post when it is indexed and a query when it is asked, in the
post's language, so that « Sociétés », « société » and "societe" meet on one stem, and
"networks" on "network". Light stemmers, written for this project: they remove inflection
(plurals, feminine and verb endings), not derivation, which keeps them predictable. SQLite
indexes these stems; PostgreSQL stems with its own dictionaries, and this analysis only
marks the matched words of a snippet there.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from html import unescape

# Split on anything that is not a letter or a digit: apostrophes too, so that French
# elisions fall apart (« l'inondation », « d’eau ») and the article is dropped as a stop word.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ı": "i", "ø": "o", "ł": "l"})
# A query asks at most this many words, of at most this many characters each.
MAX_QUERY_WORDS = 12
MAX_WORD = 40


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_WORDS = {
    "fr": _set(
        """a au aux avec c ce ces cet cette d dans de des du elle en et eux il ils j je l la le
        les leur leurs lui m ma mais me mes moi mon n ne nos notre nous on ou par pas pour qu
        que qui s sa se ses son sur t ta te tes toi ton tu un une vos votre vous y est sont
        jusqu lorsqu puisqu quoi dont"""
    ),
    "en": _set(
        """a an and are as at be been but by for from has have he her his i if in into is it
        its me my no not of on or our she so than that the their them then there these they
        this those to was we were what when where which who will with you your"""
    ),
    "it": _set(
        """a ad al alla alle agli ai all anche che chi ci con da dal dalla dei del della delle
        dell di e ed gli ha ho i il in io l la le lo ma mi ne nel nella nell non o per piu
        quest questo questa se si sono su sul sulla tra tu un una uno c d"""
    ),
}


def fold(text: str) -> str:
    """Return `text` lowercased, without accents, ligatures spelled out."""
    text = text.casefold().translate(LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _undouble(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        return word[:-1]
    return word


def stem_fr(word: str) -> str:
    """Return the light French stem of a folded word (plurals, feminine, -er/-ez verbs)."""
    if len(word) <= 3:
        return word
    if word.endswith("eaux"):
        word = word[:-1]
    elif word.endswith("aux") and len(word) > 4:
        word = word[:-3] + "al"
    elif word[-1] in "sx":
        word = word[:-1]
    if len(word) > 5 and word.endswith(("er", "ez")):
        word = word[:-2]
    elif len(word) > 4 and word[-1] == "e":
        word = word[:-1]
    return _undouble(word)


def stem_en(word: str) -> str:
    """Return the light English stem of a folded word (plurals, -ing, -ed, final e)."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and len(word) > 4:
        word = _undouble(word[:-2])
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def stem_it(word: str) -> str:
    """Return the light Italian stem of a folded word (its final vowel: fiume, fiumi)."""
    if len(word) > 4 and word[-1] in "aeio":
        return word[:-1]
    return word


STEMMERS: dict[str, Callable[[str], str]] = {"fr": stem_fr, "en": stem_en, "it": stem_it}


def stemmer(language: str) -> Callable[[str], str]:
    """Return the stemmer of a language (a language without one is only folded)."""
    return STEMMERS.get(language, lambda word: word)


@functools.lru_cache(maxsize=65536)
def word_stem(word: str, language: str) -> str:
    """Return the stem of one word as written in a text (remembered: texts repeat words)."""
    return stemmer(language)(fold(word))


def words(text: str) -> list[re.Match]:
    """Return the words of a text as matches (their place in `text`, for snippets)."""
    return list(WORD.finditer(text))


def terms(text: str, language: str) -> list[str]:
    """Return the stems of a text's words in `language`, common words left out."""
    stop, stem = STOP_WORDS.get(language, frozenset()), stemmer(language)
    found = []
    for match in WORD.finditer(fold(text)):
        word = match.group()
        if len(word) > 1 and word not in stop:
            found.append(stem(word[:MAX_WORD]))
    return found


def query_terms(query: str, language: str) -> list[str]:
    """Return the distinct stems a query asks for in `language`, in their order."""
    unique = list(dict.fromkeys(terms(query, language)))
    return unique[:MAX_QUERY_WORDS]


# Stored HTML is made by rendering.py (cleaned by bleach: well formed, no script or style),
# so its tags are read by one expression, several times faster than html.parser (a snippet
# is made of ten posts' texts on every search page). A start or end tag, with its attributes
# (quoted values may hold ">"), or a comment.
_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']+|"[^"]*"|'[^']*')*)>|<!--.*?-->""", re.DOTALL
)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
# Left out with what they hold: code that is not text, and the heading anchors' "#".
SKIPPED = frozenset({"script", "style"})
# Their edges separate words.
BLOCKS = frozenset(
    {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "br", "td"}
)


def _skipped(name: str, attributes: str) -> bool:
    if name in SKIPPED:
        return True
    found = _CLASS.search(attributes)
    return bool(found) and "heading-anchor" in "".join(found.groups("")).split()


def plain_text(html: str) -> str:
    """Return the readable text of stored HTML, whitespace collapsed."""
    html = html or ""
    parts: list[str] = []
    skipping: list[str] = []
    at = 0
    for tag in _TAG.finditer(html):
        if not skipping and tag.start() > at:
            parts.append(unescape(html[at : tag.start()]))
        at = tag.end()
        closing, name, attributes = tag.groups()
        if name is None:  # a comment
            continue
        name = name.lower()
        if not closing:
            if _skipped(name, attributes):
                skipping.append(name)
            elif name in BLOCKS:
                parts.append(" ")
        if closing or attributes.rstrip().endswith("/"):  # <br/> opens and closes
            if skipping and skipping[-1] == name:
                skipping.pop()
            elif name in BLOCKS:
                parts.append(" ")
    if not skipping and at < len(html):
        parts.append(unescape(html[at:]))
    return " ".join("".join(parts).split())
