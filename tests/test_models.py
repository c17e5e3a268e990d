"""The rules the store enforces, whoever writes."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from blog.models import Post, Publication, PublicationKind
from blog.rendering import RenderError
from blog.rules import ContentRuleError


def test_english_post_cannot_be_published_on_the_book_site(app, make_post, session):
    with pytest.raises(ContentRuleError) as refused:
        make_post(language="en", sites=("book",))
    assert refused.value.rule == "site_language"
    assert "publishes only in French" in str(refused.value)
    session.rollback()
    assert session.scalar(select(Post)) is None


def test_french_only_rule_speaks_french_to_a_french_author(app, make_post, session):
    with app.test_request_context(), force_locale("fr"), pytest.raises(ContentRuleError) as err:
        make_post(language="en", sites=("book",))
    assert "ne publie qu'en français" in str(err.value)
    assert "un article en anglais" in str(err.value)


def test_cross_posting_an_english_post_to_the_book_site_is_refused(make_post, session):
    post = make_post(language="en", sites=("blog",))
    post.publish_on("book")
    with pytest.raises(ContentRuleError, match="book"):
        session.commit()


def test_changing_language_of_a_book_post_is_refused(make_post, session):
    post = make_post(language="fr", sites=("book",))
    post.language = "it"
    with pytest.raises(ContentRuleError):
        session.commit()


def test_rule_holds_when_a_publication_is_added_directly(make_post, session):
    post = make_post(language="it", sites=("blog",))
    session.add(Publication(post=post, site="book", kind=PublicationKind.CROSSPOST))
    with pytest.raises(ContentRuleError):
        session.commit()


def test_french_post_may_appear_on_both_sites(make_post):
    post = make_post(language="fr", sites=("book", "blog"))
    assert post.home_site == "book"
    assert post.sites == ["book", "blog"]


def test_unknown_site_is_refused(make_post):
    with pytest.raises(ContentRuleError, match="no site named"):
        make_post(sites=("nowhere",))


def test_a_translation_group_holds_one_post_per_language(make_post):
    original = make_post(language="fr")
    make_post(language="en", translation_of=original)
    with pytest.raises(ContentRuleError) as refused:
        make_post(language="en", translation_of=original)
    assert refused.value.rule == "translation_group"


def test_slug_is_unique_per_language(make_post):
    make_post(language="fr", slug="rivieres")
    make_post(language="en", slug="rivieres")
    with pytest.raises(ContentRuleError, match="already used"):
        make_post(language="fr", slug="rivieres")


@pytest.mark.parametrize("slug", ["Rivières", "with space", "a--b", "-a", "x" * 121, ""])
def test_invalid_slugs_are_refused(make_post, slug):
    with pytest.raises(ContentRuleError):
        make_post(slug=slug)


@pytest.mark.parametrize("slug", ["category", "2024", "en", "it"])
def test_pages_cannot_take_reserved_slugs(make_post, slug):
    with pytest.raises(ContentRuleError, match="reserved"):
        make_post(kind="page", slug=slug)


def test_a_post_needs_exactly_one_home(session):
    post = Post(language="fr", title="t", slug="t", status="draft")
    post.set_source("x")
    session.add(post)
    with pytest.raises(ContentRuleError, match="exactly one home"):
        session.commit()


def test_html_is_rendered_when_source_is_saved(make_post, session):
    post = make_post(source="# Title\n\nHello *world*")
    assert "<em>world</em>" in post.html
    post.set_source("Changed **text**")
    session.commit()
    stored = session.scalar(select(Post.html).where(Post.id == post.id))
    assert stored == "<p>Changed <strong>text</strong></p>"


def test_a_source_that_cannot_render_is_refused_and_the_published_html_kept(make_post, session):
    post = make_post(source="Published text")
    with pytest.raises(RenderError):
        post.set_source("x" * 600_000)
    assert post.source == "Published text"
    session.rollback()
    assert session.get(Post, post.id).html == "<p>Published text</p>"


def test_times_are_stored_and_read_as_utc(make_post, session):
    from datetime import timedelta, timezone

    paris = timezone(timedelta(hours=1))
    post = make_post(published_at=datetime(2025, 1, 3, 0, 30, tzinfo=paris))
    session.expire_all()
    reread = session.get(Post, post.id)
    assert reread.published_at == datetime(2025, 1, 2, 23, 30, tzinfo=UTC)
    assert reread.published_at.tzinfo is not None


def test_naive_datetimes_are_refused(make_post):
    with pytest.raises(Exception, match="Naive"):
        make_post(published_at=datetime(2025, 1, 1))


def test_control_characters_never_reach_titles_or_feeds(blog, make_post):
    post = make_post(language="en", title="Bad\x00 \x0btitle", summary="A\x1f summary")
    assert post.title == "Bad title" and post.summary == "A summary"
    assert blog.get("/en/feed.atom").status_code == 200
