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
from html.parser import HTMLParser

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


class _Text(HTMLParser):
    """The text of stored HTML, without its code-free furniture (heading anchors)."""

    SKIPPED = frozenset({"script", "style"})
    BLOCKS = frozenset(
        {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "br", "td"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag in self.SKIPPED or "heading-anchor" in classes.split():
            self.skipping.append(tag)
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """Return the readable text of stored HTML, whitespace collapsed."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())
