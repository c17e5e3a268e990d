"""Talks as an iCalendar feed (RFC 5545) and as schema.org Event; press reviews as Review.

Pure functions of rows and a site: no request, no query. The feed is written by hand (it is
a few properties): lines end in CRLF, are folded at 75 octets without splitting a UTF-8
character, and TEXT values escape backslash, semicolon, comma and line breaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _

from ..sites import Site
from .models import PressReview, Talk

PRODUCT_ID = "-//blog//Rencontres//FR"
FOLD_AT = 75


def escape_text(value: str) -> str:
    """Return `value` as an iCalendar TEXT value (RFC 5545, 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for char, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(char, escaped)
    return value


def fold(line: str) -> str:
    """Return a content line folded at 75 octets (RFC 5545, 3.1), never inside a character."""
    encoded = line.encode()
    if len(encoded) <= FOLD_AT:
        return line
    parts, current, limit = [], b"", FOLD_AT
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            # Continuation lines begin with a space, which counts in their 75 octets.
            current, limit = b"", FOLD_AT - 1
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    """Return an aware datetime as an iCalendar UTC DATE-TIME ("20250605T163000Z")."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def location(talk: Talk) -> str:
    """Return where a talk takes place, in one line: place, address, city."""
    return ", ".join(part for part in (talk.place, talk.address, talk.city) if part)


def calendar(site: Site, talks: Iterable[Talk], page_url: str) -> bytes:
    """Return the iCalendar file of `talks` (each a VEVENT with a UID stable across edits)."""
    host = urlsplit(site.url).hostname
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(site.title_in(site.default_language))}",
    ]
    for talk in talks:
        lines += [
            "BEGIN:VEVENT",
            f"UID:talk-{talk.id}@{host}",
            # Without a METHOD, DTSTAMP is the time the event last changed (RFC 5545, 3.8.7.2).
            f"DTSTAMP:{_utc(talk.updated_at)}",
            f"LAST-MODIFIED:{_utc(talk.updated_at)}",
            f"DTSTART:{_utc(talk.starts_at)}",
        ]
        if talk.ends_at is not None and talk.ends_at > talk.starts_at:
            lines.append(f"DTEND:{_utc(talk.ends_at)}")
        lines.append(f"SUMMARY:{escape_text(talk.title)}")
        if location(talk):
            lines.append(f"LOCATION:{escape_text(location(talk))}")
        registration = talk.registration_url and _(
            "Registration: %(url)s", url=talk.registration_url
        )
        description = "\n\n".join(part for part in (talk.description, registration) if part)
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        lines.append(f"URL:{talk.url or f'{page_url}#rencontre-{talk.id}'}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()


def _person(name: str) -> dict:
    return {"@type": "Person", "name": name}


def book_item(site: Site) -> dict:
    """Return the schema.org Book of a book site, as the thing an event or review is about."""
    info = site.book
    item = {"@type": "Book", "name": info.get("title") or site.title_in(site.default_language)}
    if info.get("author") or site.author:
        item["author"] = _person(info.get("author") or site.author)
    if info.get("isbn"):
        item["isbn"] = info["isbn"]
    return item


def event(site: Site, talk: Talk, page_url: str) -> dict:
    """Return the schema.org Event of a talk."""
    place = {"@type": "Place", "name": talk.place or talk.city}
    address = {"@type": "PostalAddress"}
    if talk.address:
        address["streetAddress"] = talk.address
    if talk.city:
        address["addressLocality"] = talk.city
    place["address"] = address
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": talk.title,
        "startDate": talk.starts_at.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "url": talk.url or f"{page_url}#rencontre-{talk.id}",
        "performer": _person(site.author),
        "about": book_item(site),
    }
    if talk.ends_at is not None:
        data["endDate"] = talk.ends_at.isoformat()
    if talk.description:
        data["description"] = talk.description
    if talk.registration_url:
        data["offers"] = {"@type": "Offer", "url": talk.registration_url}
    return data


def review(site: Site, item: PressReview) -> dict:
    """Return the schema.org Review of a press review of the book."""
    data = {
        "@context": "https://schema.org",
        "@type": "Review",
        "itemReviewed": book_item(site),
        "publisher": {"@type": "Organization", "name": item.outlet},
        "author": _person(item.author) if item.author else {
            "@type": "Organization", "name": item.outlet},
        "datePublished": item.published_on.isoformat(),
        "reviewBody": item.quote,
    }  # fmt: skip
    if item.url:
        data["url"] = item.url
    return data
