"""Readers' forms: the contact page and sign-up forms, their spam checks and refusals, seats
and the waiting list (under concurrent registrations), the desk, CSV export, notifications."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import timedelta

import pytest

from blog.readerforms.models import (
    ContactMessage,
    FormState,
    MessageStatus,
    Registration,
    RegistrationStatus,
    SignupForm,
)
from blog.sections.models import Talk
from blog.sitesfile import SitesFileError

from .helpers import BLOG, BOOK, DATA, SiteClient, deliver, make_app

TOKEN = re.compile(r'name="token" value="([^"]+)"')
MESSAGE = {
    "name": "Agnès",
    "email": "agnes@example.org",
    "subject": "Une rencontre en juin",
    "message": "Bonjour,\nnous aimerions inviter l'autrice à la médiathèque.",
    "consent": "yes",
}


def fill(client, clock, path: str, wait: float = 30, **fields):
    """Load a form's page, wait like a reader, then send the form with `fields`."""
    page = client.get(path)
    token = TOKEN.search(page.text).group(1)
    clock.advance(seconds=wait)
    return client.post(path, data={"token": token, **fields})


def stored(session, model) -> list:
    session.expire_all()
    return list(session.query(model).order_by(model.id))


def make_signup(session, capacity: int = 2, state: str = FormState.OPEN, **fields) -> SignupForm:
    signup = SignupForm(
        slug=fields.pop("slug", "seminaire"),
        site=fields.pop("site", "book"),
        title=fields.pop("title", "Séminaire : lire les rivières"),
        capacity=capacity,
        state=state,
        **fields,
    )
    signup.set_description("Un *séminaire* de deux heures.", "fr")
    session.add(signup)
    session.commit()
    return signup


# --- the contact page ------------------------------------------------------------------------


def test_the_contact_page_ends_with_the_form_and_is_in_the_menu_once(book, make_post):
    make_post(kind="page", sites=("book",), slug="contact", title="Contact", menu_order=1,
              source="Écrire à l'autrice.")  # fmt: skip
    page = book.get("/contact/")
    assert page.status_code == 200
    assert "Écrire à l’autrice." in page.text and 'id="contact-form"' in page.text
    assert 'name="consent"' in page.text and 'name="homepage"' in page.text
    assert page.text.count('href="/contact/"') == 1  # the page's own menu entry, no other


def test_without_its_page_the_contact_form_stands_alone_and_the_menu_links_it(book):
    page = book.get("/contact/")
    assert page.status_code == 200 and 'id="contact-form"' in page.text
    assert '<a href="/contact/" aria-current="page">Contact</a>' in page.text
    assert '<a href="/contact/">Contact</a>' in book.get("/").text


def test_the_blog_has_no_contact_form_unless_its_sites_file_says_so(blog):
    assert blog.get("/fr/contact/").status_code == 404
    assert blog.post("/fr/contact/", data=MESSAGE).status_code == 404


def test_a_message_is_stored_and_the_authors_are_told(app, smtp, author, book, clock, session):
    response = fill(book, clock, "/contact/", **MESSAGE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/contact/?sent=1#contact-sent"
    assert "votre message est envoyé" in book.get(response.headers["Location"]).text
    [message] = stored(session, ContactMessage)
    assert (message.site, message.status, message.name) == ("book", MessageStatus.NEW, "Agnès")
    assert message.address_hash and "127.0.0.1" not in message.address_hash
    deliver(app)
    [to_authors] = smtp.messages
    assert "To: claire@example.org" in to_authors and "/admin/forms/messages/" in to_authors


REFUSED = [
    ({"consent": ""}, {}, "cocher la case"),
    ({"email": "agnes-at-example"}, {}, "ne semble pas correcte"),
    ({"name": ""}, {}, "votre nom"),
    ({"homepage": "http://spam.example"}, {}, "n’a pas pu être accepté"),
    ({"message": " ".join(f"https://x{n}.example" for n in range(8))}, {}, "trop de liens"),
    ({}, {"wait": 1}, "relire"),
    ({}, {"wait": 40 * 24 * 3600}, "expiré"),
    ({"token": "123.forged"}, {}, "expiré"),
]


@pytest.mark.parametrize(("fields", "how", "reason"), REFUSED)
def test_a_refused_message_comes_back_intact_with_the_reason(
    book, clock, session, fields, how, reason
):
    data = {**MESSAGE, **fields}
    response = fill(book, clock, "/contact/", **how, **data)
    assert response.status_code == 422
    assert reason in response.text
    assert 'role="alert"' in response.text
    if data["message"] == MESSAGE["message"]:
        assert "nous aimerions inviter l&#39;autrice à la médiathèque.</textarea>" in response.text
    assert 'value="Une rencontre en juin"' in response.text
    assert ("checked" in response.text.split('name="consent"')[1][:60]) == bool(data["consent"])
    assert stored(session, ContactMessage) == []


def test_a_message_from_another_site_is_refused(book, clock, session):
    page = book.get("/contact/")
    clock.advance(seconds=30)
    data = {**MESSAGE, "token": TOKEN.search(page.text).group(1)}
    response = book.post("/contact/", data=data, headers={"Origin": "http://evil.example"})
    assert response.status_code == 422 and "un autre site" in response.text
    assert stored(session, ContactMessage) == []


def test_too_many_forms_from_one_address_are_refused(app, book, clock, session):
    app.config["COMMENTS_RATE_LIMIT"] = 2
    for _ in range(2):
        assert fill(book, clock, "/contact/", **MESSAGE).status_code == 302
    response = fill(book, clock, "/contact/", **MESSAGE)
    assert response.status_code == 422 and "Veuillez patienter" in response.text
    clock.advance(seconds=app.config["COMMENTS_RATE_WINDOW"])
    assert fill(book, clock, "/contact/", **MESSAGE).status_code == 302


def test_the_blocklist_keeps_a_message_apart_without_telling_anyone(
    app, smtp, author, book, desk, clock, session
):
    desk.send("/admin/comments/blocklist", {"patterns": "prêt rapide"})
    data = {**MESSAGE, "message": "Prêt rapide sans justificatif !"}
    assert fill(book, clock, "/contact/", **data).status_code == 302
    [message] = stored(session, ContactMessage)
    assert message.status == MessageStatus.SUSPECT
    deliver(app)
    assert smtp.messages == []
    assert "Prêt rapide" in desk.get("/admin/forms/?status=suspect").text
    assert "Prêt rapide" not in desk.get("/admin/forms/").text


def test_old_messages_and_address_hashes_are_erased(app, book, clock, session):
    assert fill(book, clock, "/contact/", **MESSAGE).status_code == 302
    clock.advance(days=app.config["COMMENTS_ADDRESS_DAYS"] + 1)
    assert fill(book, clock, "/contact/", **{**MESSAGE, "name": "Bea"}).status_code == 302
    first, second = stored(session, ContactMessage)
    assert first.address_hash is None and second.address_hash is not None
    clock.advance(days=app.config["FORMS_KEEP_DAYS"])
    # The page, cached since the store last changed, carries a token too old by now: the
    # refusal gives a fresh one, and the text back.
    expired = fill(book, clock, "/contact/", **{**MESSAGE, "name": "Chloé"})
    assert expired.status_code == 422 and "expiré" in expired.text
    clock.advance(seconds=30)
    data = {**MESSAGE, "name": "Chloé", "token": TOKEN.search(expired.text).group(1)}
    assert book.post("/contact/", data=data).status_code == 302
    assert [m.name for m in stored(session, ContactMessage)] == ["Chloé"]


# --- sign-up forms ---------------------------------------------------------------------------


def test_a_draft_or_another_sites_form_is_not_found(book, blog, session):
    make_signup(session, state=FormState.DRAFT)
    make_signup(session, slug="on-the-blog", site="blog")
    assert book.get("/inscription/seminaire/").status_code == 404
    assert book.get("/inscription/on-the-blog/").status_code == 404
    assert blog.get("/fr/inscription/on-the-blog/").status_code == 200


def test_seats_then_the_waiting_list_each_told_on_the_confirmation_page(
    app, smtp, author, book, clock, session
):
    signup = make_signup(session, capacity=1)
    path = "/inscription/seminaire/"
    page = book.get(path)
    assert "Un <em>séminaire</em>" in page.text and "1 place restante" in page.text
    first = fill(book, clock, path, name="Ada", email="ada@example.org", consent="yes")
    assert first.status_code == 302 and "?r=registration:" in first.headers["Location"]
    confirmed = book.get(first.headers["Location"])
    assert "Votre place est confirmée." in confirmed.text
    assert "no-store" in confirmed.headers["Cache-Control"] and "ETag" not in confirmed.headers
    assert "Cancel" not in confirmed.text and "Annuler mon inscription" in confirmed.text
    second = fill(book, clock, path, name="Bea", email="bea@example.org", consent="yes",
                  message="Avec ma fille")  # fmt: skip
    assert "liste d’attente" in book.get(second.headers["Location"]).text
    assert [(r.name, r.status) for r in stored(session, Registration)] == [
        ("Ada", RegistrationStatus.CONFIRMED),
        ("Bea", RegistrationStatus.WAITING),
    ]
    assert all(r.form_id == signup.id for r in stored(session, Registration))
    # Authors and reader told, each time; the reader's email carries the cancellation link.
    deliver(app)
    assert len(smtp.messages) == 4
    assert (
        "To: ada@example.org" in smtp.messages[1]
        and "/inscription/annulation/" in (smtp.messages[1])
    )


def test_a_cancellation_erases_the_registration_and_gives_the_seat_to_the_next(
    app, smtp, author, book, clock, session
):
    make_signup(session, capacity=1)
    path = "/inscription/seminaire/"
    first = fill(book, clock, path, name="Ada", email="ada@example.org", consent="yes")
    fill(book, clock, path, name="Bea", email="bea@example.org", consent="yes")
    token = first.headers["Location"].split("?r=")[1].split("#")[0]
    ask = book.get(f"/inscription/annulation/{token}")
    assert ask.status_code == 200 and "Ada" in ask.text
    assert book.get("/inscription/annulation/registration:1.forged").status_code == 200
    # Digits that are not ASCII ("²" passes str.isdigit, not int) or too many: not a link.
    for forged in ("registration:\u00b2.x", "registration:" + "9" * 30 + ".x"):
        assert book.get(f"/inscription/annulation/{forged}").status_code == 200
        assert book.get(path, query_string={"r": forged}).status_code == 200
    deliver(app)
    smtp.messages.clear()
    done = book.post(f"/inscription/annulation/{token}")
    assert "annulée et effacée" in done.text
    [left] = stored(session, Registration)
    assert (left.name, left.status) == ("Bea", RegistrationStatus.CONFIRMED)
    deliver(app)
    [to_bea] = smtp.messages
    assert "To: bea@example.org" in to_bea


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"state": FormState.CLOSED}, "Les inscriptions sont closes."),
        ({"closes_at": "past"}, "Les inscriptions sont closes."),
    ],
)
def test_a_closed_form_takes_no_registration(book, clock, session, change, reason):
    signup = make_signup(session)
    page = book.get("/inscription/seminaire/")
    token = TOKEN.search(page.text).group(1)
    if change.get("closes_at") == "past":
        signup.closes_at = clock() + timedelta(minutes=1)
    else:
        signup.state = change["state"]
    session.commit()
    clock.advance(seconds=90)
    data = {"token": token, "name": "Ada", "email": "ada@example.org", "consent": "yes"}
    response = book.post("/inscription/seminaire/", data={**data, "message": "Mon texte"})
    assert response.status_code == 422 and reason in response.text
    assert ">Mon texte</textarea>" in response.text
    assert stored(session, Registration) == []
    assert "Les inscriptions sont closes." in book.get("/inscription/seminaire/").text


def test_an_email_registers_once_and_a_refusal_keeps_the_text(book, clock, session):
    make_signup(session)
    path = "/inscription/seminaire/"
    data = {"name": "Ada", "email": "ada@example.org", "consent": "yes", "message": "Un mot"}
    assert fill(book, clock, path, **data).status_code == 302
    again = fill(book, clock, path, **{**data, "email": "ADA@example.org"})
    assert again.status_code == 422 and "déjà inscrite" in again.text
    assert 'value="ADA@example.org"' in again.text and ">Un mot</textarea>" in again.text
    assert len(stored(session, Registration)) == 1


def test_the_talks_page_links_a_talk_to_its_open_sign_up_form(book, clock, session):
    talk = Talk(title="Marche commentée", starts_at=clock() + timedelta(days=30), published=True)
    session.add(talk)
    session.commit()
    make_signup(session, talk_id=talk.id)
    page = book.get("/rencontres/")
    assert '<a class="more" href="/inscription/seminaire/">S’inscrire</a>' in page.text
    signup_page = book.get("/inscription/seminaire/")
    assert "Marche commentée" not in signup_page.text or "rencontre-" in signup_page.text


@pytest.mark.slow
def test_concurrent_registrations_never_exceed_the_seats(app, clock, session):
    """Ten readers register at once for four seats: four get one, six wait, none is lost."""
    app.config["COMMENTS_RATE_LIMIT"] = 100
    make_signup(session, capacity=4)
    path = "/inscription/seminaire/"
    token = TOKEN.search(SiteClient(app, base_url=BOOK).get(path).text).group(1)
    clock.advance(seconds=30)
    start, answers = threading.Barrier(10), []

    def register(n: int) -> None:
        client = SiteClient(app, app.response_class, base_url=BOOK)
        data = {"token": token, "name": f"R{n}", "email": f"r{n}@example.org", "consent": "yes"}
        start.wait()
        answers.append(client.post(path, data=data).status_code)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302] * 10
    statuses = [r.status for r in stored(session, Registration)]
    assert statuses.count(RegistrationStatus.CONFIRMED) == 4
    assert statuses.count(RegistrationStatus.WAITING) == 6


# --- the desk --------------------------------------------------------------------------------


def test_the_desk_reads_marks_and_deletes_messages(desk, book, clock, session):
    fill(book, clock, "/contact/", **MESSAGE)
    [message] = stored(session, ContactMessage)
    listing = desk.get("/admin/forms/")
    assert "Une rencontre en juin" in listing.text and "agnes@example.org" in listing.text
    read = desk.get(f"/admin/forms/messages/{message.id}")
    assert "inviter l&#39;autrice" in read.text and "mailto:agnes@example.org" in read.text
    assert desk.post("/admin/forms/", data={"one": f"handled:{message.id}"}).status_code == 400
    desk.send("/admin/forms/", {"one": f"handled:{message.id}"})
    assert stored(session, ContactMessage)[0].status == MessageStatus.HANDLED
    assert "Une rencontre" in desk.get("/admin/forms/?status=handled").text
    # A row button naming anything but an id is refused, whatever digits it writes.
    for one in ("delete:\u00b2", "delete:" + "9" * 30, "delete:", "delete:-1"):
        assert desk.send("/admin/forms/", {"one": one}).status_code == 400
    assert len(stored(session, ContactMessage)) == 1
    desk.send("/admin/forms/", {"one": f"delete:{message.id}"})
    assert stored(session, ContactMessage) == []


def test_exports_are_csv_a_spreadsheet_reads_as_text(desk, book, clock, session):
    tricky = {**MESSAGE, "name": '=HYPERLINK("http://x")', "subject": '+33 1 23, "vite"'}
    fill(book, clock, "/contact/", **{**tricky, "message": "-ligne 1\nligne 2; @ici"})
    response = desk.get("/admin/forms/messages.csv")
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Site", "Status", "Name", "Email", "Subject", "Message"]
    assert rows[1][3:] == [
        '\'=HYPERLINK("http://x")',
        "agnes@example.org",
        '\'+33 1 23, "vite"',
        "'-ligne 1\nligne 2; @ici",
    ]
    signup = make_signup(session, capacity=1)
    path = "/inscription/seminaire/"
    fill(book, clock, path, name="@Ada", email="ada@example.org", consent="yes")
    fill(book, clock, path, name="Bea", email="bea@example.org", consent="yes", message="é")
    exported = desk.get(f"/admin/forms/signups/{signup.id}/registrations.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [row[1:] for row in rows[1:]] == [
        ["confirmed", "'@Ada", "ada@example.org", ""],
        ["waiting list", "Bea", "bea@example.org", "é"],
    ]


def test_the_desk_defines_a_form_and_a_refused_one_keeps_what_was_typed(desk, session):
    values = {"title": "Atelier", "slug": "Pas un slug", "site": "book", "state": "open",
              "capacity": "0", "closes_at": "", "talk_id": "",
              "description": "Un *atelier*."}  # fmt: skip
    refused = desk.send("/admin/forms/signups/new", values)
    assert refused.status_code == 422
    assert 'value="Pas un slug"' in refused.text and "Un *atelier*.</textarea>" in refused.text
    assert "At least one seat." in refused.text
    saved = desk.send("/admin/forms/signups/new", {**values, "slug": "atelier", "capacity": "3"})
    assert saved.status_code == 302
    [signup] = stored(session, SignupForm)
    assert (signup.capacity, signup.state, signup.html) == (
        3,
        "open",
        "<p>Un <em>atelier</em>.</p>",
    )
    listing = desk.get("/admin/forms/signups/")
    assert "Atelier" in listing.text and "0 / 3" in listing.text


def test_more_seats_and_deletions_in_the_desk_fill_from_the_waiting_list(
    desk, book, clock, session
):
    signup = make_signup(session, capacity=1)
    path = "/inscription/seminaire/"
    for name in ("Ada", "Bea", "Cid"):
        fill(book, clock, path, name=name, email=f"{name}@example.org", consent="yes")
    ada, _bea, cid = stored(session, Registration)
    page = desk.get(f"/admin/forms/signups/{signup.id}/")
    assert "1 place sur 1 occupée" not in page.text and "1 seat of 1 taken." in page.text
    full = desk.send(f"/admin/forms/signups/{signup.id}/", {"one": f"admit:{cid.id}"})
    assert "full=1" in full.headers["Location"]
    desk.send(f"/admin/forms/signups/{signup.id}/", {"one": f"delete:{ada.id}"})
    assert [(r.name, r.status) for r in stored(session, Registration)] == [
        ("Bea", RegistrationStatus.CONFIRMED),
        ("Cid", RegistrationStatus.WAITING),
    ]
    edit = desk.get(f"/admin/forms/signups/{signup.id}/edit")
    assert 'value="seminaire"' in edit.text
    values = {"title": signup.title, "slug": "seminaire", "site": "book", "state": "open",
              "capacity": "2", "closes_at": "", "talk_id": "", "description": ""}  # fmt: skip
    assert desk.send(f"/admin/forms/signups/{signup.id}/edit", values).status_code == 302
    assert {r.status for r in stored(session, Registration)} == {RegistrationStatus.CONFIRMED}


def blog_with_contact(tmp_path, database_url, value: str):
    text = (DATA / "sites.toml").read_text()
    sites = tmp_path / "sites.toml"
    sites.write_text(text.replace('fallback = "show"', f'fallback = "show"\ncontact = {value}'))
    return make_app({"DATABASE_URL": database_url, "TESTING": True, "SITES_FILE": str(sites)})


def test_the_sites_file_turns_the_contact_form_on_for_a_blog_in_each_language(
    app, tmp_path, database_url, clock
):
    other = blog_with_contact(tmp_path, database_url, "true")
    other.config["CLOCK"] = clock
    client = SiteClient(other, other.response_class, base_url=BLOG)
    page = client.get("/en/contact/")
    assert page.status_code == 200 and "Write to us" in page.text
    assert '<a href="/en/contact/" aria-current="page">Contact</a>' in page.text
    assert "Scrivici" in client.get("/it/contact/").text
    response = fill(client, clock, "/en/contact/", **{**MESSAGE, "consent": ""})
    assert response.status_code == 422 and "Please tick the box" in response.text
    with pytest.raises(SitesFileError, match="contact"):
        blog_with_contact(tmp_path, database_url, '"yes"')
