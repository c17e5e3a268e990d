"""The book site's press reviews: a citation each, the outlet's name first, schema.org Review."""

import json
from datetime import date

from lxml import html as lxml_html

from blog.sections.models import PressReview


def add_review(session, outlet: str, on: date, published: bool = True, **fields) -> PressReview:
    review = PressReview(outlet=outlet, published_on=on, published=published, **fields)
    session.add(review)
    session.commit()
    return review


def test_press_reviews_are_citations_listed_newest_first(book, session):
    quote = "Un livre qui se lit comme une enquête.\n\nÀ lire."
    add_review(session, "Le Courrier des berges", date(2025, 4, 2), author="Anne Lebrun",
               url="https://example.org/courrier", quote=quote)  # fmt: skip
    add_review(session, "L'Écho des deux rives", date(2025, 5, 10), quote="Un modèle du genre.")
    add_review(session, "Brouillon hebdo", date(2025, 6, 1), published=False, quote="Pas encore.")
    response = book.get("/revue-de-presse/")
    assert response.status_code == 200
    assert "Brouillon hebdo" not in response.text
    tree = lxml_html.fromstring(response.data)
    reviews = tree.xpath('//article[contains(@class, "press-review")]')
    assert len(reviews) == 2
    first, second = reviews
    # The outlet's name comes first, as a <cite>; the quotation is a <blockquote cite>.
    assert first[0].tag == "h2" and first[0].xpath("string(cite)") == "L'Écho des deux rives"
    assert first.xpath("blockquote/@cite") == []
    assert second.xpath("string(h2/cite)") == "Le Courrier des berges"
    assert second.xpath("blockquote/@cite") == ["https://example.org/courrier"]
    assert [p.text for p in second.xpath("blockquote/p")] == [
        "Un livre qui se lit comme une enquête.", "À lire.",
    ]  # fmt: skip
    assert "Anne Lebrun" in second.xpath("string(p[@class='meta'])")
    assert second.xpath("string(.//time/@datetime)") == "2025-04-02"
    assert second.xpath(".//a/@href") == ["https://example.org/courrier"]


def test_press_reviews_carry_schema_org_review(book, session):
    add_review(session, "Terres & Eaux", date(2025, 6, 3), author="Paul Roy",
               url="https://example.org/te", quote="Un essai nécessaire.")  # fmt: skip
    tree = lxml_html.fromstring(book.get("/revue-de-presse/").data)
    data = [json.loads(s.text) for s in tree.xpath('//script[@type="application/ld+json"]')]
    (review,) = [d for d in data if d["@type"] == "Review"]
    assert review["itemReviewed"]["@type"] == "Book"
    assert review["itemReviewed"]["isbn"] == "9782000000006"
    assert review["publisher"] == {"@type": "Organization", "name": "Terres & Eaux"}
    assert review["author"] == {"@type": "Person", "name": "Paul Roy"}
    assert review["datePublished"] == "2025-06-03"
    assert review["reviewBody"] == "Un essai nécessaire."
    assert review["url"] == "https://example.org/te"


def test_press_reviews_escape_what_they_quote(book, session):
    add_review(
        session, "<script>alert(1)</script>", date(2025, 4, 2), quote="<img src=x onerror=alert(1)>"
    )
    response = book.get("/revue-de-presse/")
    assert "<script>alert(1)" not in response.text
    assert "<img src=x" not in response.text


def test_press_reviews_live_on_the_book_site_only(blog, book):
    assert book.get("/revue-de-presse/").status_code == 200
    assert "Aucune critique" in book.get("/revue-de-presse/").text
    assert blog.get("/fr/revue-de-presse/").status_code == 404
