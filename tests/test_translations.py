"""translations.py without HTTP: the fallback policy for listings and for one address."""

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from blog import entries, translations
from blog.models import DATED_KINDS, Post
from blog.translations import Notice
from blog.visibility import on_site

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def sites(app):
    with app.test_request_context():
        yield app.extensions["sites"]


def blog_with(sites, policy: str):
    return dataclasses.replace(sites["blog"], fallback=policy)


def listed(session, site, language) -> set[str]:
    statement = select(Post.slug).where(
        translations.in_language(site, language, NOW), on_site(site, NOW)
    )
    return set(session.scalars(statement))


@pytest.fixture
def case(request, make_post):
    """An English post on the blog, and its French version here, elsewhere or nowhere."""
    original = make_post(language="en", slug="field-notes")
    french = None
    if request.param == "here":
        french = make_post(language="fr", slug="notes-de-terrain", translation_of=original)
    elif request.param == "elsewhere":
        french = make_post(
            language="fr", slug="notes-de-terrain", translation_of=original, sites=("book",)
        )
    return request.param, original, french


def ids(*posts):
    """The ids of posts (ORM or read model), or None; one id alone as itself."""
    found = tuple(None if p is None else p.id for p in posts)
    return found[0] if len(found) == 1 else found


@pytest.mark.parametrize("case", ["here", "elsewhere", "missing"], indirect=True)
@pytest.mark.parametrize("policy", ["show", "hide"])
def test_one_address_for_a_reader_of_another_language(sites, session, case, policy):
    where, original, french = case
    site = blog_with(sites, policy)
    choice = translations.choose(session.connection(), site, "fr", "field-notes", DATED_KINDS, NOW)
    if where == "here":
        # Both policies send the reader to the version in their language.
        assert choice.redirect == "/fr/2025/03/notes-de-terrain/"
        assert choice.post is None
    elif policy == "hide":
        assert choice == translations.Choice()
    elif where == "elsewhere":
        assert (ids(choice.post), choice.notice, ids(choice.elsewhere)) == (
            original.id,
            Notice.ELSEWHERE,
            french.id,
        )
    else:
        assert (ids(choice.post), choice.notice, choice.elsewhere) == (
            original.id,
            Notice.ONLY_IN,
            None,
        )
    if choice.post is not None:
        # The read model's post: its sites and terms loaded, no ORM object.
        assert choice.post.home_site == "blog" and not isinstance(choice.post, Post)


@pytest.mark.parametrize("case", ["here", "elsewhere", "missing"], indirect=True)
@pytest.mark.parametrize("policy", ["show", "hide"])
def test_what_a_language_lists(sites, session, case, policy):
    where, _original, _french = case
    site = blog_with(sites, policy)
    expected = {"notes-de-terrain"} if where == "here" else set()
    if policy == "show" and where != "here":
        expected = {"field-notes"}
    assert listed(session, site, "fr") == expected
    # Readers of the post's own language always get it.
    assert listed(session, site, "en") == {"field-notes"}


@pytest.mark.parametrize("policy", ["show", "hide"])
def test_own_language_shows_the_post_without_notice(sites, session, make_post, policy):
    post = make_post(language="en", slug="field-notes")
    choice = translations.choose(
        session.connection(),
        blog_with(sites, policy),
        "en",
        "field-notes",
        DATED_KINDS,
        NOW,
        (2025, 3),
    )
    assert (ids(choice.post), choice.notice, ids(*choice.versions)) == (
        post.id,
        Notice.NONE,
        post.id,
    )


def test_an_address_with_another_date_redirects_to_the_posts_own(sites, session, make_post):
    make_post(language="en", slug="field-notes")
    choice = translations.choose(
        session.connection(), sites["blog"], "en", "field-notes", DATED_KINDS, NOW, (2024, 1)
    )
    assert choice.redirect == "/en/2025/03/field-notes/"


def test_switcher_offers_each_language_where_it_lives(sites, session, make_post):
    original = make_post(language="en", slug="field-notes")
    make_post(language="fr", slug="notes", translation_of=original, sites=("book",))
    versions = entries.loaded(session.connection(), translations.group(original, NOW))
    links = {
        link.language: link
        for link in translations.post_switcher(sites, sites["blog"], "en", versions)
    }
    assert links["en"].current
    assert links["fr"].elsewhere is sites["book"]
    assert links["fr"].url == "http://book.localhost:5000/2025/03/notes/"
    assert links["it"].missing
    assert links["it"].url == "/language/it?next=%2Fit%2F%3Fnotice%3Duntranslated"


def test_a_translation_lives_on_the_sites_of_its_language(sites, make_post):
    original = make_post(language="fr", slug="notes", sites=("book", "blog"))
    # The book site is French only: the English translation lives on the blog alone.
    assert translations.translation_sites(sites, original, "en") == ["blog"]
    assert translations.translation_sites(sites, original, "fr") == ["book", "blog"]
