"""One definition of valid (blog/fields.py), and a sweep of hostile values through every form.

The sweep sends each value of HOSTILE through each field of every desk form and
every public query parameter, as raw bytes (so that invalid UTF-8 and surrogates
reach the app as a browser or a script could send them), and checks: no 5xx, a
refused form shows the author's text back, and nothing is stored that PostgreSQL
would refuse (NUL, a value longer than its column). It runs on SQLite and on
PostgreSQL (TEST_DATABASE_URL).
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from markupsafe import escape
from sqlalchemy import String, Text, select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from blog import fields
from blog.models import Base, LoginFailure, Post, Revision, Term, TermKind, User

from .helpers import PASSWORD, csrf_from

HOSTILE = {
    "superscript two": "²".encode(),
    "circled three": "③".encode(),
    "circled one": "①".encode(),
    "Arabic-Indic three": "٣".encode(),
    "fullwidth twelve": "１２".encode(),
    "2**63": str(2**63).encode(),
    "2**31": str(2**31).encode(),
    "minus one": b"-1",
    "NUL": b"\x00",
    "NUL inside text": b"ab\x00cd",
    "control characters": b"a\x01\x08\x1b\x7fb",
    "line breaks and tab": b"a\r\nb\tc",
    "10,000 characters": b"x" * 10_000,
    "10,000 accented characters": "é".encode() * 10_000,
    "invalid UTF-8": b"\xff\xfe",
    "lone surrogate (CESU)": b"\xed\xa0\x80",
    "HTML": b"<b>\"'&",
}


def form_body(values: dict[str, bytes | str]) -> bytes:
    """Encode a form as a browser would, but byte for byte: nothing is checked on the way."""
    parts = []
    for name, value in values.items():
        raw = value if isinstance(value, bytes) else value.encode()
        parts.append(f"{quote_from_bytes(name.encode())}={quote_from_bytes(raw)}")
    return "&".join(parts).encode()


FORM = "application/x-www-form-urlencoded"


def send(client, path: str, values: dict):
    return client.post(path, data=form_body(values), content_type=FORM)


def query(path: str, values: dict[str, bytes]) -> str:
    return path + "?" + "&".join(f"{n}={quote_from_bytes(v)}" for n, v in values.items())


def shown_back(raw: bytes) -> str:
    """Return how a refused form shows a value: as werkzeug decoded it (bytes that are not
    UTF-8 stay percent-encoded), escaped."""
    environ = EnvironBuilder(method="POST", data=form_body({"v": raw}), content_type=FORM)
    return str(escape(Request(environ.get_environ()).form["v"]))


def assert_storable(session) -> None:
    """Assert that no stored text holds NUL or exceeds its column (what PostgreSQL refuses)."""
    session.expire_all()
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                assert "\x00" not in value, (table.name, column.name)
                if isinstance(column.type, String) and column.type.length:
                    assert len(value) <= column.type.length, (table.name, column.name)


def check(response, refused_text: bytes | None = None, field: str = ""):
    assert response.status_code < 500, (field, refused_text, response.text[:500])
    if refused_text is not None and response.status_code == 422:
        assert shown_back(refused_text) in response.text, (field, refused_text)


# --- the definition itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("0", None), ("²", None), ("③", None), ("٣", None),
     ("１２", None), ("1_000", None), ("+5", None), (str(2**31), None), (str(2**63), None),
     ("", None), ("-1", None), (True, None), (5, 5)],
)  # fmt: skip
def test_ids_are_ascii_digits_within_the_column(raw, expected):
    assert fields.parse_int(raw) == expected


def test_menu_order_takes_negatives_within_a_32_bit_integer():
    assert fields.integer(fields.MENU_ORDER, "-5") == -5
    assert fields.integer(fields.MENU_ORDER, str(-(2**31))) == -(2**31)
    for raw in (str(2**31), "²", "1.5", "- 1"):
        with pytest.raises(fields.FieldError):
            fields.integer(fields.MENU_ORDER, raw)


def test_text_refuses_control_characters_and_overlong_values(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert fields.text(fields.TITLE, "  A\ttitle\r\n ") == "A title"
        assert fields.text(fields.SOURCE, "a\r\nb\rc\td") == "a\nb\nc\td"
        with pytest.raises(fields.FieldError, match="U\\+0000"):
            fields.text(fields.TITLE, "a\x00b")
        with pytest.raises(fields.FieldError, match="U\\+001B"):
            fields.text(fields.SOURCE, "a\x1bb")
        with pytest.raises(fields.FieldError, match="301"):
            fields.text(fields.TITLE, "x" * 301)
        assert fields.text(fields.TITLE, "x" * 300)
        with pytest.raises(fields.FieldError):
            fields.slug("Bad Slug/../X")
        assert fields.slug(" abc\n") == "abc"
        with pytest.raises(fields.FieldError):
            fields.slug("a-\x00b")


def test_messages_are_in_the_desk_language(app):
    with app.test_request_context():
        from flask import g
        from flask_babel import refresh

        for lang, word in (("fr", "trop long"), ("it", "troppo lungo"), ("en", "too long")):
            g.desk_language = lang
            refresh()
            with pytest.raises(fields.FieldError, match=word):
                fields.text(fields.TERM_NAME, "x" * 201)


# --- the sweep: desk forms ---------------------------------------------------------------------


@pytest.fixture
def stored(session, make_post, make_term):
    """A post with two revisions, a page on the blog and a category to refer to."""
    category = make_term(TermKind.CATEGORY, "rivers", fr="Rivières", en="Rivers")
    post = make_post(language="fr", title="Un article", slug="un-article", terms=(category,))
    session.add(Revision.of(post))
    post.title = "Un article revu"
    session.add(Revision.of(post))
    page = make_post(language="fr", kind="page", title="À propos", slug="a-propos")
    session.commit()
    return {"post": post.id, "page": page.id, "category": category.id, "version": post.version}


def post_form(**changes) -> dict:
    values = {"title": "Un titre", "slug": "", "language": "fr", "summary": "",
              "source": "Du texte.", "home_site": "blog", "status": "draft",
              "published_at": "", "tags": "", "menu_order": "", "kind": "post",
              "version": ""}  # fmt: skip
    values.update(changes)
    return values


POST_FIELDS = ("title", "slug", "summary", "source", "tags", "menu_order", "published_at",
               "language", "home_site", "status", "categories", "sites", "kind")  # fmt: skip
TEXT_SHOWN_BACK = {"title", "summary", "source", "tags", "menu_order", "published_at"}


# Every field of a new post; the fields that differ for a page, and those of a post that exists.
EDITOR_SWEEP = [
    ("post", "new", POST_FIELDS),
    ("page", "new", ("title", "slug", "menu_order")),
    ("post", "edit", ("title", "slug", "summary", "source", "tags", "menu_order")),
]


@pytest.mark.parametrize(("kind", "form", "names"), EDITOR_SWEEP)
def test_sweep_editor(desk, session, stored, kind, form, names):
    for field in names:
        # A post's form has no menu position: its refusal is listed at the top of the form.
        shown = field in TEXT_SHOWN_BACK and (field != "menu_order" or kind == "page")
        for raw in HOSTILE.values() if form == "new" else ():
            values = post_form(**{"kind": kind, field: raw})
            response = send(desk, "/admin/posts/new", {"csrf_token": desk.token, **values})
            check(response, raw if shown else None, field)
        for raw in HOSTILE.values() if form == "edit" else ():
            post = session.get(Post, stored["post"])
            session.refresh(post)
            values = post_form(title="Un article", slug="un-article", version=str(post.version))
            values[field] = raw
            response = send(desk, f"/admin/posts/{stored['post']}", {"csrf_token": desk.token,
                                                                   **values})  # fmt: skip
            check(response, raw if shown else None, field)
    assert_storable(session)


def test_refused_editor_keeps_the_text_and_says_why(desk, session):
    source = "Mon texte\x00 important."
    response = desk.send("/admin/posts/new", post_form(title="Titre\x00", source=source))
    assert response.status_code == 422
    assert "U+0000" in response.text
    assert "Mon texte\x00 important." in response.text or "Mon texte" in response.text
    assert session.scalar(select(Post.id)) is None
    long_title = "t" * 301
    response = desk.send("/admin/posts/new", post_form(title=long_title))
    assert response.status_code == 422 and long_title in response.text
    assert "too long (301 characters, 300 at most)" in response.text
    response = desk.send("/admin/posts/new", post_form(menu_order="²"))
    assert response.status_code == 422 and "digits 0 to 9" in response.text
    response = desk.send("/admin/posts/new", post_form(menu_order=str(2**31)))
    assert response.status_code == 422


def test_sweep_announcement_form(desk, session, stored):
    path = f"/admin/posts/{stored['post']}/announce"
    base = {"site": "book", "language": "fr", "title": "Annonce", "slug": "", "source": "Lisez.",
            "status": "published"}  # fmt: skip
    for field in base:
        for raw in HOSTILE.values():
            response = send(desk, path, {"csrf_token": desk.token, **base, field: raw})
            check(response, raw if field in ("title", "source") else None)
    assert_storable(session)


def test_sweep_term_forms(desk, session, stored):
    base = {"slug": "", "name-fr": "Nom", "name-en": "Name"}
    for path in ("/admin/terms/new?kind=tag", f"/admin/terms/{stored['category']}"):
        for field in base:
            for raw in HOSTILE.values():
                response = send(desk, path, {"csrf_token": desk.token, **base, field: raw})
                check(response)
                if response.status_code == 422 and field != "slug":
                    assert shown_back(raw) in response.text
    assert_storable(session)
    assert all(len(n.name) <= 200 for t in session.scalars(select(Term)) for n in t.names)


def test_term_name_over_its_column_is_refused(desk, session):
    response = desk.send("/admin/terms/new?kind=tag", {"slug": "", "name-en": "n" * 201})
    assert response.status_code == 422
    assert "too long (201 characters, 200 at most)" in response.text
    assert session.scalar(select(Term.id)) is None


def test_sweep_menu_order(desk, session, stored):
    for raw in HOSTILE.values():
        response = send(desk, "/admin/menu/blog", {"csrf_token": desk.token,
                                                   f"order-{stored['page']}": raw})  # fmt: skip
        check(response, raw)
    assert_storable(session)
    assert session.get(Post, stored["page"]).menu_order in (None, -1)


def test_sweep_profile(desk, session, author):
    base = {"name": "Claire", "language": "en", "password": "", "new_password": ""}
    for field in base:
        for raw in HOSTILE.values():
            values = {**base, field: raw}
            if field == "new_password":
                values["password"] = PASSWORD
            response = send(desk, "/admin/profile", {"csrf_token": desk.token, **values})
            check(response, raw if field == "name" else None, field)
    assert_storable(session)
    session.expire_all()
    assert len(session.get(User, author.id).name) <= 200
    # The password never changed: every hostile new password was refused.
    assert desk.get("/admin/").status_code == 200


def test_sweep_sign_in(app, blog, session, author):
    for field in ("email", "password"):
        for raw in HOSTILE.values():
            token = csrf_from(blog.get("/admin/login"))
            values = {"email": author.email, "password": "wrong password", field: raw}
            response = send(blog, "/admin/login", {"csrf_token": token, **values})
            check(response)
            assert response.status_code != 302
            if field == "email" and response.status_code in (401, 422, 429):
                assert shown_back(raw.strip()) in response.text or raw.strip() == b""
    assert_storable(session)
    assert all(len(key) <= 300 for key in session.scalars(select(LoginFailure.key)))


def test_sweep_desk_query_parameters(desk, session, stored):
    post = stored["post"]
    # Each desk page with the parameters it reads.
    pages = {"/admin/": ("site", "language", "status", "category", "q", "kind", "page"),
             f"/admin/posts/{post}": ("reference", "saved"),
             f"/admin/posts/{post}/compare": ("a", "b"),
             "/admin/posts/new": ("kind", "language", "site"),
             "/admin/terms/new": ("kind",), "/admin/trash": ("moved",),
             "/admin/login": ("next",)}  # fmt: skip
    for path, names in pages.items():
        for name in names:
            for raw in HOSTILE.values():
                check(desk.get(query(path, {name: raw})))


@pytest.mark.parametrize("name", ["category", "reference", "a"])
def test_odd_ids_in_desk_queries_are_404(desk, stored, name):
    post = stored["post"]
    path = f"/admin/posts/{post}/compare" if name == "a" else "/admin/"
    if name == "reference":
        path = f"/admin/posts/{post}"
    for raw in ("²", "③", "①", "٣", str(2**63), str(2**31), "-1", "x"):
        assert desk.get(query(path, {name: raw.encode()})).status_code == 404, raw


def test_sweep_path_ids(desk, stored):
    templates = ["/admin/posts/{}", "/admin/posts/{}/revisions", "/admin/announcements/{}",
                 "/admin/terms/{}", "/admin/posts/{}/announce",
                 f"/admin/posts/{stored['post']}/compare?a={{}}&b={{}}"]  # fmt: skip
    for template in templates:
        for raw in HOSTILE.values():
            check(desk.get(template.replace("{}", quote_from_bytes(raw))))
        for raw in ("²", "③", "٣", str(2**63), str(2**31)):
            path = template.replace("{}", quote_from_bytes(raw.encode()))
            assert desk.get(path).status_code == 404, path
    for raw in ("²", str(2**63)):
        response = desk.send(f"/admin/posts/{quote_from_bytes(raw.encode())}/trash")
        assert response.status_code == 404


def test_sweep_desk_actions(desk, session, stored):
    post = stored["post"]
    for raw in HOSTILE.values():
        check(send(desk, f"/admin/posts/{post}/translate", {"csrf_token": desk.token,
                                                             "language": raw}))  # fmt: skip
        check(send(desk, "/admin/preview", {"csrf_token": desk.token, "source": raw}))
        check(send(desk, "/admin/preview", {"csrf_token": desk.token, "source": "x",
                                            "language": raw}))  # fmt: skip
    assert_storable(session)


# --- the sweep: public query parameters ---------------------------------------------------------

# Each public address with the parameters it reads, and "s" (WordPress's search) that it does
# not. ?p= and ?page_id= (old WordPress addresses) are swept with the HTTP framing (i12-web).
PUBLIC_PAGES = {"/fr/": ("page", "notice", "lang", "s"), "/en/": ("page",),
                "/fr/category/rivers/": ("page",), "/fr/2025/": ("page",),
                "/fr/feed.rss": ("page", "s"), "/language/en": ("next",),
                "/fr/a-propos/": ("notice",), "/sitemap.xml": ("page",),
                "/sitemap-1.xml": ("page",)}  # fmt: skip


def test_sweep_public_query_parameters(blog, book, stored):
    for path, names in PUBLIC_PAGES.items():
        for name in names:
            for raw in HOSTILE.values():
                check(blog.get(query(path, {name: raw})))
    for raw in HOSTILE.values():
        check(book.get(query("/", {"page": raw})))


@pytest.mark.parametrize("raw", ["²", "③", "①", "٣", str(2**63), "-1", "0", "1x"])
def test_odd_page_numbers_are_404(blog, stored, raw):
    assert blog.get(query("/fr/", {"page": raw.encode()})).status_code == 404


def test_public_path_ids_take_ascii_digits_only(blog, stored):
    # The year and month of an address: "٢٠٢٥" would be read as 2025 by int().
    assert blog.get("/fr/2025/").status_code == 200
    assert blog.get("/fr/" + quote_from_bytes("٢٠٢٥".encode()) + "/").status_code == 404


def test_commands_use_the_same_definition(cli, make_post):
    password = "a long enough password"
    refused = cli("create-user", "a\x00b@example.org", "--password", password, ok=False)
    assert refused.exit_code == 1 and "U+0000" in refused.output
    refused = cli("create-user", "x" * 250 + "@example.org", "--password", password, ok=False)
    assert "too long (262 characters, 254 at most)" in refused.output
    refused = cli("create-user", "c@example.org", "--name", "n" * 201, "--password", password,
                  ok=False)  # fmt: skip
    assert "too long (201 characters, 200 at most)" in refused.output
    post = make_post(language="fr", sites=("blog",))
    refused = cli("announce", str(post.id), "--on", "book", "--title", "t" * 301, ok=False)
    assert refused.exit_code == 1 and "too long (301 characters, 300 at most)" in refused.output
    refused = cli("announce", str(post.id), "--on", "book", "--slug", "Bad Slug/../X", ok=False)
    assert "is not valid" in refused.output
    refused = cli("announce", str(2**63), "--on", "book", ok=False)
    assert refused.exit_code == 2 and "Traceback" not in refused.output
