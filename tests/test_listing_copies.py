"""Listings walk their own rows in order: a term's (post_term) and a site's (publication) copy
of each post's time and pin, kept by the database (migrations 0015 and 0016)."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import html as lxml_html
from sqlalchemy import select, text

from blog.models import Post, Publication, TermKind, post_term


def copied_times(session) -> dict[int, datetime | None]:
    rows = session.execute(select(post_term.c.post_id, post_term.c.published_at))
    return {post_id: when for post_id, when in rows}


def test_the_database_copies_each_posts_time_beside_its_terms(session, make_post, make_term):
    floods = make_term(TermKind.TAG, "floods", en="Floods")
    first = make_post(language="en", terms=(floods,), published_at=datetime(2024, 1, 5, tzinfo=UTC))
    second = make_post(language="en", published_at=datetime(2024, 2, 5, tzinfo=UTC))
    assert copied_times(session) == {first.id: datetime(2024, 1, 5, tzinfo=UTC)}
    # A term added later, a date changed by the ORM and by a hand-written statement.
    second.terms = [floods]
    first.published_at = datetime(2024, 3, 1, tzinfo=UTC)
    session.commit()
    session.execute(
        text("UPDATE post SET published_at = :when WHERE id = :id"),
        {"when": datetime(2024, 4, 1), "id": second.id},
    )
    session.commit()
    assert copied_times(session) == {
        first.id: datetime(2024, 3, 1, tzinfo=UTC),
        second.id: datetime(2024, 4, 1, tzinfo=UTC),
    }


def test_a_term_page_follows_a_new_date_at_once(blog, session, make_post, make_term):
    floods = make_term(TermKind.TAG, "floods", en="Floods")
    older = make_post(language="en", title="Older", terms=(floods,))
    make_post(language="en", title="Newer", terms=(floods,))

    def titles() -> list[str]:
        page = lxml_html.fromstring(blog.get("/en/tag/floods/").data)
        return [t.strip() for t in page.xpath("//article//h2/a/text()")]

    assert titles() == ["Newer", "Older"]
    session.get(Post, older.id).published_at = datetime(2025, 6, 1, tzinfo=UTC)
    session.commit()
    assert titles() == ["Older", "Newer"]


def site_copies(session) -> dict[tuple[int, str], tuple]:
    rows = session.execute(
        select(Publication.post_id, Publication.site, Publication.published_at, Publication.pinned)
    )
    return {(post_id, site): (when, pinned) for post_id, site, when, pinned in rows}


def test_the_database_copies_each_posts_time_and_pin_beside_its_sites(session, make_post):
    when = datetime(2024, 1, 5, tzinfo=UTC)
    post = make_post(language="fr", sites=("blog", "book"), published_at=when)
    assert site_copies(session) == {
        (post.id, "blog"): (when, False),
        (post.id, "book"): (when, False),
    }
    post.pinned, post.published_at = True, datetime(2024, 2, 1, tzinfo=UTC)
    session.commit()
    later = datetime(2024, 2, 1, tzinfo=UTC)
    assert site_copies(session) == {
        (post.id, "blog"): (later, True),
        (post.id, "book"): (later, True),
    }


def test_a_sites_home_follows_a_pin_and_a_new_date_at_once(book, session, make_post):
    older = make_post(language="fr", sites=("book",), title="Ancien")
    make_post(language="fr", sites=("book",), title="Récent")

    def titles() -> list[str]:
        page = lxml_html.fromstring(book.get("/").data)
        return [t.strip() for t in page.xpath("//article//h2/a/text()")]

    assert titles() == ["Récent", "Ancien"]
    session.get(Post, older.id).pinned = True
    session.commit()
    assert titles() == ["Ancien", "Récent"]
