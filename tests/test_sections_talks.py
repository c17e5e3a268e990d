"""The book site's talks: the page (upcoming first, past by year), the iCalendar feed, Event."""

import json
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from lxml import html as lxml_html

from blog.moving.static_plan import Stamps, file_name, site_targets
from blog.sections.calendar import escape_text, fold
from blog.sections.models import Talk
from blog.sites import registry


@pytest.fixture
def make_talk(session, clock):
    """Return a function that stores a published talk starting `days` from the clock's now."""

    def make(title: str, days: float, published: bool = True, **fields) -> Talk:
        starts = clock.moment.replace(microsecond=0) + timedelta(days=days)
        talk = Talk(title=title, starts_at=starts, published=published, **fields)
        session.add(talk)
        session.commit()
        return talk

    return make


def headings(response) -> list[str]:
    tree = lxml_html.fromstring(response.data)
    return [
        " ".join(h.text_content().split()) for h in tree.xpath("//main//h2|//main//h3|//main//h4")
    ]


def test_upcoming_talks_first_then_past_ones_by_year(book, make_talk, clock):
    clock.moment = datetime(2025, 6, 1, 12, tzinfo=UTC)
    make_talk("Lecture au Moulin-Vert", days=4, place="Médiathèque du Moulin-Vert", city="Lyon")
    make_talk("Table ronde", days=18)
    make_talk("Lancement", days=-80)
    make_talk("Rencontre d'hiver", days=-200)
    make_talk("Brouillon de rencontre", days=2, published=False)
    response = book.get("/rencontres/")
    assert response.status_code == 200
    assert headings(response) == [
        "À venir", "Lecture au Moulin-Vert", "Table ronde",
        "Rencontres passées", "2025", "Lancement", "2024", "Rencontre d'hiver",
    ]  # fmt: skip
    assert "Brouillon" not in response.text
    assert "Médiathèque du Moulin-Vert" in response.text and "Lyon" in response.text


def test_a_talk_moves_to_the_past_when_it_ends(book, make_talk, clock):
    clock.moment = datetime(2025, 6, 1, 12, tzinfo=UTC)
    make_talk("Soirée", days=1, ends_at=clock.moment + timedelta(days=1, hours=2))
    assert headings(book.get("/rencontres/")) == ["À venir", "Soirée"]
    clock.advance(days=1, hours=1)
    # Started, not ended: still listed as upcoming, and still in the calendar.
    assert headings(book.get("/rencontres/")) == ["À venir", "Soirée"]
    assert "Soirée" in book.get("/rencontres.ics").text
    clock.advance(hours=2)
    assert headings(book.get("/rencontres/")) == ["À venir", "Rencontres passées", "2025", "Soirée"]
    assert "Soirée" not in book.get("/rencontres.ics").text


def test_the_calendar_feed_parses_and_holds_upcoming_talks_only(book, make_talk):
    make_talk(
        "Lecture, débat; signature",
        days=3,
        ends_at=None,
        place="Librairie La Passerelle",
        address="12 rue des Tanneurs",
        city="Lyon",
        description="Une lecture suivie d'un débat.\nEntrée libre.",
        registration_url="https://example.org/inscription",
    )
    upcoming = make_talk(
        "Table ronde « Lire au fil de l’eau »", days=10, url="https://example.org/festival"
    )
    make_talk("Lancement", days=-3)
    make_talk("Brouillon", days=5, published=False)
    response = book.get("/rencontres.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    raw = response.data
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Lecture, débat; signature", "Table ronde « Lire au fil de l’eau »",
    ]  # fmt: skip
    first, second = events
    assert str(first["LOCATION"]) == "Librairie La Passerelle, 12 rue des Tanneurs, Lyon"
    assert "Entrée libre." in str(first["DESCRIPTION"])
    assert "https://example.org/inscription" in str(first["DESCRIPTION"])
    assert first.decoded("DTSTART").tzinfo is not None
    assert str(first["UID"]).endswith("@book.localhost") and first["UID"] != second["UID"]
    assert "DTSTAMP" in first
    assert str(second["URL"]) == "https://example.org/festival"
    assert second.decoded("DTSTART") == upcoming.starts_at
    # Each event is valid on its own, as calendar applications check it.
    for event in events:
        assert {"UID", "DTSTAMP", "DTSTART"} <= set(event)


def test_the_page_advertises_its_calendar_and_carries_events(book, make_talk):
    make_talk("Lecture", days=3, place="Médiathèque", city="Lyon",
              registration_url="https://example.org/inscription")  # fmt: skip
    make_talk("Lancement", days=-3)
    tree = lxml_html.fromstring(book.get("/rencontres/").data)
    assert tree.xpath('//head/link[@type="text/calendar"]/@href') == ["/rencontres.ics"]
    data = [json.loads(s.text) for s in tree.xpath('//script[@type="application/ld+json"]')]
    events = [d for d in data if d["@type"] == "Event"]
    assert len(events) == 1
    event = events[0]
    assert event["name"] == "Lecture"
    assert event["location"]["name"] == "Médiathèque"
    assert event["location"]["address"]["addressLocality"] == "Lyon"
    assert event["offers"]["url"] == "https://example.org/inscription"
    assert event["about"]["@type"] == "Book"
    datetime.fromisoformat(event["startDate"])


def test_talks_live_on_the_book_site_only(blog, book):
    assert book.get("/rencontres/").status_code == 200
    for path in ("/fr/rencontres/", "/fr/rencontres.ics"):
        assert blog.get(path).status_code == 404


def test_the_book_site_menu_links_the_sections(book, blog):
    tree = lxml_html.fromstring(book.get("/").data)
    menu = tree.xpath('//nav[@class="site-nav"]//a/@href')
    assert "/rencontres/" in menu and "/revue-de-presse/" in menu
    assert "/rencontres/" not in blog.get("/fr/").text


def test_calendar_text_is_escaped_and_folded():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "é" * 60
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line
    assert all(len(p.encode()) <= 75 for p in parts)


def test_sitemap_and_static_export_include_the_sections(app, book, blog, make_talk, session):
    make_talk("Lecture", days=3)
    assert "http://book.localhost:5000/rencontres/" in book.get("/sitemap-1.xml").text
    assert "http://book.localhost:5000/revue-de-presse/" in book.get("/sitemap-1.xml").text
    assert "rencontres" not in blog.get("/sitemap-1.xml").text
    with app.test_request_context(base_url="http://book.localhost"):
        now = datetime.now(UTC)
        stamps = Stamps(session, now)
        paths = {
            key: {t.path: t.stamp for t in site_targets(session, registry()[key], now, stamps)}
            for key in ("book", "blog")
        }
    assert {"/rencontres/", "/rencontres.ics", "/revue-de-presse/"} <= set(paths["book"])
    assert not any("rencontres" in path for path in paths["blog"])
    assert file_name("/rencontres.ics") == "rencontres.ics"
    # A talk that ends changes the stamp, so the next export writes the page again.
    with app.test_request_context(base_url="http://book.localhost"):
        later = datetime.now(UTC) + timedelta(days=4)
        moved = {t.path: t.stamp for t in site_targets(session, registry()["book"], later,
                                                        Stamps(session, later))}  # fmt: skip
    assert moved["/rencontres/"] != paths["book"]["/rencontres/"]


def test_the_demo_shows_every_section(app, book, blog, clock):
    clock.moment = datetime(2026, 12, 1, tzinfo=UTC)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    again = app.test_cli_runner().invoke(args=["demo"])
    assert "0 entries of the book site's sections created" in again.output
    titles = headings(book.get("/rencontres/"))
    assert titles.index("À venir") < titles.index("Rencontres passées")
    assert len(titles) >= 8
    assert len(icalendar.Calendar.from_ical(book.get("/rencontres.ics").data).walk("VEVENT")) >= 2
    assert book.get("/revue-de-presse/").text.count('class="press-review"') >= 4
    # Pictures everywhere: listings' featured images, the video's poster, works, press kit.
    for client, path in ((book, "/"), (blog, "/fr/"), (blog, "/en/"), (blog, "/it/")):
        assert client.get(path).text.count('<picture class="teaser-image">') >= 2, path
    launch = book.get("/2025/03/la-memoire-des-rivieres-en-librairie/").text
    assert '<img class="embed-poster" src="/media/posters/youtube-' in launch
    assert book.get("/liaisons-artistiques/").text.count("<img") >= 3
    assert '<img class="press-preview" src="/media/presse/' in book.get("/espace-presse/").text
