"""The book site's sections from the desk: create, refuse with the text intact, edit, delete."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from blog.sections.models import PressReview, Talk

TALK = {
    "title": "Lecture à la médiathèque",
    "starts_at": "2030-06-05T18:30",
    "ends_at": "2030-06-05T20:00",
    "place": "Médiathèque du Moulin-Vert",
    "address": "4 rue du Moulin",
    "city": "Lyon",
    "url": "",
    "registration_url": "https://example.org/inscription",
    "description": "Lecture et discussion.",
    "published": "1",
}


def test_a_talk_written_at_the_desk_shows_on_the_book_site(desk, book, session):
    response = desk.send("/admin/book/talks/new", TALK)
    assert response.status_code == 302
    talk = session.scalar(select(Talk))
    # Typed in the desk's time zone (Europe/Paris, summer time), stored in UTC.
    assert talk.starts_at == datetime(2030, 6, 5, 16, 30, tzinfo=UTC)
    assert talk.published
    assert "Lecture à la médiathèque" in desk.get("/admin/book/talks/").text
    page = book.get("/rencontres/").text
    assert "Lecture à la médiathèque" in page and "Médiathèque du Moulin-Vert" in page
    assert "Lecture à la médiathèque" in book.get("/rencontres.ics").text


def test_a_refused_talk_comes_back_as_typed_with_reasons(desk, session):
    typed = {**TALK, "registration_url": "javascript:alert(1)", "ends_at": "2030-06-05T17:00",
             "title": "Une rencontre « à part »"}  # fmt: skip
    response = desk.send("/admin/book/talks/new", typed)
    assert response.status_code == 422
    assert "Une rencontre « à part »" in response.text
    assert "a web address starting with https://" in response.text
    assert session.scalar(select(Talk)) is None
    response = desk.send("/admin/book/talks/new", {**TALK, "registration_url": ""} | {
        "ends_at": "2030-06-05T17:00"})  # fmt: skip
    assert response.status_code == 422
    assert "The end must come after the start." in response.text
    response = desk.send("/admin/book/talks/new", {**TALK, "starts_at": "5 juin", "title": ""})
    assert response.status_code == 422
    assert "Title: required." in response.text and "YYYY-MM-DD HH:MM" in response.text
    assert session.scalar(select(Talk)) is None


def test_refusals_speak_the_authors_language(desk, session, author):
    author.language = "fr"
    session.commit()
    response = desk.send("/admin/book/press-reviews/new", {"outlet": "", "published_on": "hier",
                                                            "quote": "Bien."})  # fmt: skip
    assert response.status_code == 422
    assert "Média : obligatoire." in response.text
    assert "AAAA-MM-JJ" in response.text and "Bien." in response.text


def test_a_draft_stays_off_the_book_site_until_published(desk, book, session):
    desk.send("/admin/book/talks/new", {**TALK, "published": ""})
    talk = session.scalar(select(Talk))
    assert not talk.published
    assert "Lecture à la médiathèque" not in book.get("/rencontres/").text
    assert "Lecture à la médiathèque" not in book.get("/rencontres.ics").text
    form = desk.get(f"/admin/book/talks/{talk.id}").text
    assert 'value="2030-06-05T18:30"' in form
    assert desk.send(f"/admin/book/talks/{talk.id}", TALK).status_code == 302
    assert "Lecture à la médiathèque" in book.get("/rencontres/").text


def test_a_press_review_is_written_edited_and_deleted(desk, book, session):
    review = {"outlet": "Le Courrier des berges", "author": "Anne Lebrun",
              "published_on": "2025-04-02", "url": "https://example.org/courrier",
              "quote": "Un livre qui se lit comme une enquête.", "published": "1"}  # fmt: skip
    assert desk.send("/admin/book/press-reviews/new", review).status_code == 302
    stored = session.scalar(select(PressReview))
    assert stored.published_on == date(2025, 4, 2)
    assert "Le Courrier des berges" in book.get("/revue-de-presse/").text
    response = desk.send(f"/admin/book/press-reviews/{stored.id}/delete")
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(PressReview)) is None
    assert "Le Courrier des berges" not in book.get("/revue-de-presse/").text


def test_the_sections_need_a_signed_in_author_and_a_token(app, desk, session):
    stranger = app.test_client()
    response = stranger.get("/admin/book/talks/", base_url="http://blog.localhost")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    response = desk.post("/admin/book/talks/new", data=TALK)  # no CSRF token
    assert response.status_code == 409
    assert "Lecture à la médiathèque" in response.text
    assert session.scalar(select(Talk)) is None
    assert desk.get("/admin/book/nothing/").status_code == 404
    assert desk.get("/admin/book/talks/999").status_code == 404
