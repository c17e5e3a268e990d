"""Where the rules apply (the project's sessions only), the named render step, shared helpers."""

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from blog import rules
from blog.admin.forms import AnnouncementForm, PostForm
from blog.models import OldAddress, Post, PublicationKind
from blog.redirects import add_old_address
from blog.rendering import render_many
from blog.rules import ContentRuleError, Rule
from blog.slugs import free_slug, is_reserved

LISTENERS = (
    ("before_flush", rules.check_rules),
    ("after_flush", rules._advance_state),
    ("do_orm_execute", rules._advance_state_on_bulk),
)


def english_post_on_the_book_site() -> Post:
    post = Post(language="en", title="An English post", slug="an-english-post")
    post.set_source("Some text.")
    post.publish_on("book", PublicationKind.HOME)
    return post


def test_a_plain_session_is_left_alone_and_the_factorys_sessions_keep_the_rules(app):
    engine, factory = app.extensions["db"]["engine"], app.extensions["db"]["sessionmaker"]
    for name, listener in LISTENERS:
        assert not event.contains(Session, name, listener)
        assert event.contains(factory, name, listener)
    with Session(engine) as plain:
        plain.add(english_post_on_the_book_site())
        plain.flush()  # nothing checks it: importing the models changed no other session
        assert plain.scalar(select(func.count(Post.id))) == 1
        plain.rollback()
    with factory() as session:
        session.add(english_post_on_the_book_site())
        with pytest.raises(ContentRuleError) as refused:
            session.flush()
        assert refused.value.rule is Rule.SITE_LANGUAGE


@pytest.mark.parametrize(
    ("form", "form_fields"),
    [
        (PostForm, PostForm.TEXT_FIELDS + PostForm.LIST_FIELDS),
        (AnnouncementForm, AnnouncementForm.TEXT_FIELDS),
    ],
)
def test_every_rule_is_shown_beside_a_field_of_the_desks_forms(form, form_fields):
    assert set(form.RULE_FIELDS) == set(Rule)
    assert set(form.RULE_FIELDS.values()) <= set(form_fields)


def test_every_refusal_names_its_rule(make_post):
    make_post(slug="taken")
    with pytest.raises(ContentRuleError) as refused:
        make_post(slug="taken")
    assert isinstance(refused.value.rule, Rule) and refused.value.rule is Rule.SLUG


def test_a_source_assigned_without_set_source_is_refused(make_post, session):
    post = make_post(source="Before")
    post.source = "After **bold**"
    with pytest.raises(ContentRuleError) as refused:
        session.commit()
    assert refused.value.rule is Rule.HTML
    session.rollback()
    assert session.scalar(select(Post.html).where(Post.id == post.id)) == "<p>Before</p>"


def test_a_new_post_given_its_source_in_the_constructor_is_refused(session):
    post = Post(language="fr", title="t", slug="t", source="Du *texte*.")
    post.publish_on("blog", PublicationKind.HOME)
    session.add(post)
    with pytest.raises(ContentRuleError) as refused:
        session.flush()
    assert refused.value.rule is Rule.HTML


def test_html_written_directly_is_refused(make_post, session):
    post = make_post(source="Text")
    post.html = "<p>Text</p><script>alert(1)</script>"
    with pytest.raises(ContentRuleError) as refused:
        session.commit()
    assert refused.value.rule is Rule.HTML


def test_a_new_language_needs_the_source_rendered_again(make_post, session):
    post = make_post(language="fr", source="Vraiment ?")
    assert post.html == "<p>Vraiment\u202f?</p>"  # French typography
    post.language = "en"
    with pytest.raises(ContentRuleError) as refused:
        session.commit()
    assert refused.value.rule is Rule.HTML
    session.rollback()
    source = post.source
    post.language = "en"
    post.set_source(source)
    session.commit()
    assert session.scalar(select(Post.html).where(Post.id == post.id)) == "<p>Vraiment ?</p>"


def test_a_rendering_made_ahead_is_taken_only_for_its_own_text_and_language(session, monkeypatch):
    french, english = render_many([("Vraiment ?", "fr"), ("Vraiment ?", "en")])
    post = Post(language="en", title="t", slug="t")
    with pytest.raises(ValueError, match="another language"):
        post.set_source("Vraiment ?", rendered=french)
    with pytest.raises(ValueError, match="another text"):
        post.set_source("Autre", rendered=english)
    post.set_source("Vraiment ?", rendered=english)
    post.publish_on("blog", PublicationKind.HOME)
    session.add(post)

    def refuse(*_args):
        raise AssertionError("rendered again")

    monkeypatch.setattr(rules.rendering, "render_markdown", refuse)
    session.flush()  # the rule checks the rendering it was given, without rendering again
    assert post.html == "<p>Vraiment ?</p>"
    monkeypatch.undo()
    post.html = french.html  # the rendering of the same text, in another language
    with pytest.raises(ContentRuleError) as refused:
        session.flush()
    assert refused.value.rule is Rule.HTML


def test_posts_written_in_one_flush_are_checked_against_each_other_and_named(session):
    posts = []
    for title in ("First", "Second"):
        post = Post(language="fr", title=title, slug="le-meme", translation_key="k")
        post.set_source(title)
        post.publish_on("blog", PublicationKind.HOME)
        posts.append(post)
    session.add_all(posts)
    with pytest.raises(ContentRuleError) as refused:
        session.flush()
    assert refused.value.rule is Rule.TRANSLATION_GROUP
    assert refused.value.post in posts
    session.rollback()
    posts[1].translation_key = "other"
    session.add_all(posts)
    with pytest.raises(ContentRuleError) as refused:
        session.flush()
    assert refused.value.rule is Rule.SLUG


def test_an_edit_that_leaves_the_text_alone_renders_nothing(make_post, session, monkeypatch):
    post = make_post(source="Text")
    session.expire_all()
    post = session.get(Post, post.id)

    def refuse(*_args):
        raise AssertionError("rendered again")

    monkeypatch.setattr(rules.rendering, "render_markdown", refuse)
    post.title = "A new title"
    session.commit()


def test_free_slug_counts_up_and_skips_what_pages_cannot_take(make_post, session):
    assert free_slug(session, "rivieres", "fr") == "rivieres"
    make_post(language="fr", slug="rivieres")
    make_post(language="fr", slug="rivieres-2")
    assert free_slug(session, "rivieres", "fr") == "rivieres-3"
    assert free_slug(session, "rivieres", "en") == "rivieres"
    # The desk's copy for translation names the language first.
    assert free_slug(session, "rivieres", "fr", qualifier="fr") == "rivieres-fr"
    make_post(language="fr", slug="rivieres-fr")
    assert free_slug(session, "rivieres", "fr", qualifier="fr") == "rivieres-fr-2"
    languages = ("fr", "en", "it")
    assert free_slug(session, "feed", "fr", page=True, languages=languages) == "feed-2"
    assert free_slug(session, "en", "fr", page=True, languages=languages) == "en-2"
    assert free_slug(session, "2024", "fr", page=True, languages=languages) == "2024-2"
    assert free_slug(session, "feed", "fr") == "feed"  # a post's address has its date


def test_a_suffixed_slug_stays_within_the_longest_slug(make_post, session):
    make_post(language="fr", slug="x" * 120)
    slug = free_slug(session, "x" * 120, "fr")
    assert slug == "x" * 118 + "-2"


@pytest.mark.parametrize(
    ("slug", "reserved"),
    [("category", True), ("it", True), ("1999", True), ("a-propos", False), ("2024-bref", False)],
)
def test_reserved_slugs(slug, reserved):
    assert is_reserved(slug, ["fr", "en", "it"]) is reserved


def test_set_sites_makes_a_post_appear_on_exactly_these_sites(make_post, session):
    post = make_post(language="fr", sites=("blog",))
    assert post.set_sites(["book", "blog"]) is True
    session.commit()
    assert (post.home_site, post.sites) == ("book", ["book", "blog"])
    assert post.set_sites(["book", "blog"]) is False
    assert post.set_sites(["blog"]) is True
    session.commit()
    assert (post.home_site, post.sites) == ("blog", ["blog"])


def test_an_old_address_leads_to_the_first_post_that_claims_it(make_post, session):
    first, second = make_post(), make_post()
    assert add_old_address(session, "blog", "/2019/03/crues", "", first.id) == first.id
    assert add_old_address(session, "blog", "/2019/03/crues", "", second.id) == first.id
    assert add_old_address(session, "blog", "/2019/03/crues", "", first.id) == first.id
    assert add_old_address(session, "book", "/2019/03/crues", "", second.id) == second.id
    session.commit()
    assert session.scalar(select(func.count(OldAddress.id))) == 2
