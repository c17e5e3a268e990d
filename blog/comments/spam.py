"""Judge a comment before it is stored: refuse it, hold it for moderation, or publish it.

No third party is asked. A robot is refused by what it does (fills the hidden field, sends
the form too soon, too often or with a stale token, piles links); a text that reads like
spam, or matches the desk's blocklist, waits for the author, as does a first-time commenter
when COMMENTS_HOLD_FIRST says so. Nothing a person writes is refused for its words alone:
at worst it waits.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

LINK = re.compile(r"(?:https?://|www\.)[^\s)>\]]+|\[[^\]]*\]\([^)]*\)", re.IGNORECASE)
WORD = re.compile(r"\w+", re.UNICODE)
# Words and phrases of commercial spam in French and English (lowercase). Each found counts
# one; a score of SUSPECT or more holds the comment.
SPAM_WORDS = (
    "viagra", "cialis", "casino", "poker", "betting", "bet365", "jackpot", "crypto", "bitcoin",
    "forex", "payday", "loan", "loans", "backlinks", "backlink", "seo service", "seo services",
    "rank your", "first page of google", "buy now", "order now", "cheap", "discount",
    "click here", "limited offer", "free trial", "escort", "porn", "xxx", "adult dating",
    "hot singles", "weight loss", "diet pills", "replica", "rolex", "essay writing",
    "write my essay", "followers", "make money", "earn money", "work from home", "income",
    "investment opportunity", "guaranteed", "100%", "promo code", "coupon", "pharmacy",
    "no prescription", "nft", "airdrop", "sex", "dating", "visit my site", "check my site",
    "my website", "great post thanks", "nice post", "very informative", "keep it up",
    "i like this blog", "thanks for sharing", "bookmarked", "cbd", "vape", "prêt rapide",
    "crédit rapide", "rachat de crédit", "gagner de l'argent", "argent facile", "rencontre",
    "rencontres", "célibataires", "voyance", "voyant", "marabout", "pas cher", "promo",
    "réduction", "livraison gratuite", "cliquez ici", "offre limitée", "sans ordonnance",
    "paris sportifs", "pari sportif", "investissement", "revenu passif", "travail à domicile",
    "référencement", "abonnés", "bon article merci", "super article", "mon site",
    "visitez", "commander", "achetez", "acheter", "gratuit", "free", "bonus", "win",
    "gagnez", "unlock", "hack", "telegram", "whatsapp", "dm me", "contact me at",
)  # fmt: skip
SUSPECT = 2
# Top-level domains that real commenters of this blog seldom sign with (one point each).
SPAMMY_DOMAINS = re.compile(r"\.(xyz|top|click|loan|work|win|bid|ru|cn|pw|icu|buzz|shop)\b", re.I)


class Action(enum.StrEnum):
    REFUSE = "refuse"
    HOLD = "hold"
    PUBLISH = "publish"


class Refusal(enum.Enum):
    """Why a form was sent back, each with the message the visitor reads."""

    EXPIRED = _l("This form has expired. Please send your comment again.")
    TOO_SOON = _l("That was quick! Please read your comment over and send it again.")
    ROBOT = _l("Your comment could not be accepted.")
    TOO_OFTEN = _l("You have sent many comments in a short time. Please wait a few minutes.")
    TOO_MANY_LINKS = _l("Your comment holds too many links. Please keep a few.")
    MISSING = _l("Please write your name and your comment.")
    TOO_LONG = _l("Your comment is too long. Please shorten it.")
    BAD_EMAIL = _l("This email address does not look right.")
    BAD_WEBSITE = _l("A website address must start with http:// or https://.")
    CLOSED = _l("Comments are closed on this post.")
    ELSEWHERE = _l("This form was sent from another site.")


@dataclass(frozen=True)
class Verdict:
    action: Action
    refusal: Refusal | None = None
    # Why a comment waits, for the desk (in English: the author's logs, not a page).
    why: str = ""


@dataclass(frozen=True)
class Signals:
    """What the request says of its sender, besides the text."""

    honeypot: str = ""
    # Seconds since the form's page was made; None for a missing or forged token.
    age: float | None = 60.0
    recent: int = 0
    known: bool = True
    address: str = ""


def count_links(*texts: str) -> int:
    return sum(len(LINK.findall(text)) for text in texts)


def spam_score(name: str, website: str, text: str) -> int:
    """Return how much a comment reads like commercial spam (0 for most people's)."""
    lowered = f" {name} {text} ".lower()
    words = set(WORD.findall(lowered))
    score = 0
    for word in SPAM_WORDS:
        if ((" " in word or not word.isalnum()) and word in lowered) or word in words:
            score += 1
    score += len(SPAMMY_DOMAINS.findall(f"{website} {text}"))
    if count_links(name):
        score += 2  # a name that is a link is an advertisement
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 20 and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        score += 1  # SHOUTED
    if website and count_links(text) and len(text) < 120:
        score += 1  # a short text carrying a link, from someone who gave a website
    return score


def blocked(patterns: Iterable[str], *values: str) -> str | None:
    """Return the first blocklist pattern found in any of `values` (case-insensitive)."""
    haystack = "\n".join(values).lower()
    for pattern in patterns:
        if pattern and pattern.lower() in haystack:
            return pattern
    return None


def judge(
    name: str,
    email: str,
    website: str,
    text: str,
    signals: Signals,
    settings: dict,
    blocklist: Iterable[str] = (),
) -> Verdict:
    """Return what becomes of a comment: refused (and why), held, or published."""
    if signals.honeypot:
        return Verdict(Action.REFUSE, Refusal.ROBOT)
    if signals.age is None or signals.age > settings["COMMENTS_FORM_MAX_AGE"]:
        return Verdict(Action.REFUSE, Refusal.EXPIRED)
    if signals.age < settings["COMMENTS_MIN_SECONDS"]:
        return Verdict(Action.REFUSE, Refusal.TOO_SOON)
    if signals.recent >= settings["COMMENTS_RATE_LIMIT"]:
        return Verdict(Action.REFUSE, Refusal.TOO_OFTEN)
    links = count_links(text, name)
    if links > settings["COMMENTS_MAX_LINKS"]:
        return Verdict(Action.REFUSE, Refusal.TOO_MANY_LINKS)
    pattern = blocked(blocklist, name, email, website, text, signals.address)
    if pattern is not None:
        return Verdict(Action.HOLD, why=f"blocklist: {pattern}")
    if links > settings["COMMENTS_HOLD_LINKS"]:
        return Verdict(Action.HOLD, why=f"{links} links")
    score = spam_score(name, website, text)
    if score >= SUSPECT:
        return Verdict(Action.HOLD, why=f"spam score {score}")
    if not signals.known and settings["COMMENTS_HOLD_FIRST"]:
        return Verdict(Action.HOLD, why="first comment")
    return Verdict(Action.PUBLISH)
