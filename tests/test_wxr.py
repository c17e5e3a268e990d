"""WordPress import: exports written for these tests, read into the store for one site."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blog.comments.models import Comment
from blog.models import OldAddress, Post, Revision, Status, StoreState, Term, TermKind
from blog.moving import wordpress, wxr

DATA = Path(__file__).parent / "data" / "wxr"


@pytest.fixture
def import_wxr(app):
    """Return a function that runs `flask import-wxr` on a test export and returns the result."""

    def run(name: str, site: str, *options: str):
        args = ["import-wxr", str(DATA / name), "--site", site, *options]
        return app.test_cli_runner().invoke(args=args)

    return run


def posts_by_slug(session) -> dict[str, Post]:
    session.expire_all()
    return {p.slug: p for p in session.scalars(select(Post))}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def store_version(session) -> int:
    session.expire_all()
    return session.scalar(select(StoreState.version)) or 0


def test_polylang_export_keeps_languages_and_rebuilds_translation_groups(import_wxr, session):
    result = import_wxr("polylang.xml", "blog")
    assert result.exit_code == 0, result.output
    assert (
        "Imported into blog: 8 posts, 3 pages, 4 terms, 2 translation groups and 23 redirects "
        "created; 0 items were already imported." in result.output
    )
    posts = posts_by_slug(session)
    fr = posts["les-rivieres-oubliees-de-lyon"]
    en = posts["the-forgotten-rivers-of-lyon"]
    it = posts["i-fiumi-dimenticati-di-lione"]
    assert (fr.language, en.language, it.language) == ("fr", "en", "it")
    assert fr.translation_key == en.translation_key == it.translation_key
    assert posts["a-propos"].translation_key == posts["about"].translation_key
    assert posts["a-propos"].translation_key != fr.translation_key
    # A post without Polylang's marker takes the site's default language.
    assert posts["sans-marque-de-langue"].language == "fr"
    assert all(p.home_site == "blog" and p.sites == ["blog"] for p in posts.values())


def test_posts_keep_status_dates_slugs_and_excerpts(import_wxr, session):
    import_wxr("polylang.xml", "blog")
    posts = posts_by_slug(session)
    fr = posts["les-rivieres-oubliees-de-lyon"]
    assert fr.status == Status.PUBLISHED
    # post_date_gmt is the truth; the local post_date (10:30 in Paris) agrees with it.
    assert fr.published_at == datetime(2019, 3, 4, 9, 30, tzinfo=UTC)
    assert fr.updated_at == datetime(2019, 3, 5, 7, 0, tzinfo=UTC)
    assert fr.summary == "Des ruisseaux invisibles sous la ville."
    # A draft has a floating date in WordPress: no publication time here, its local date created.
    draft = posts["brouillon-la-bievre"]
    assert (draft.status, draft.published_at) == (Status.DRAFT, None)
    assert draft.created_at == datetime(2020, 1, 10, 8, 0, tzinfo=UTC)
    scheduled = posts["conference-a-grenoble"]
    assert scheduled.status == Status.PUBLISHED and scheduled.is_scheduled
    assert scheduled.published_at == datetime(2031, 5, 2, 16, 0, tzinfo=UTC)
    trashed = posts["ancien-billet"]
    assert trashed.deleted_at == datetime(2020, 9, 13, 14, 26, 40, tzinfo=UTC)
    assert trashed.status == Status.PUBLISHED
    # A private page stays out of sight as a draft; "feed" is taken by the site's addresses.
    private = posts["feed-2"]
    assert (private.kind, private.status, private.menu_order) == ("page", Status.DRAFT, 2)
    assert posts["a-propos"].menu_order == 1
    # A percent-encoded non-ASCII WordPress slug becomes an ASCII one.
    assert "ete-au-bord-de-l-eau" in posts


def test_timezone_option_reads_local_only_dates(import_wxr, session):
    import_wxr("polylang.xml", "blog", "--timezone", "America/New_York")
    draft = posts_by_slug(session)["brouillon-la-bievre"]
    assert draft.created_at == datetime(2020, 1, 10, 14, 0, tzinfo=UTC)


def test_language_option_applies_to_items_without_a_marker(import_wxr, session):
    import_wxr("polylang.xml", "blog", "--language", "en")
    assert posts_by_slug(session)["sans-marque-de-langue"].language == "en"


def test_categories_keep_their_hierarchy_and_polylang_names(import_wxr, session):
    import_wxr("polylang.xml", "blog")
    terms = {(t.kind, t.slug): t for t in session.scalars(select(Term))}
    terrain = terms[(TermKind.CATEGORY, "terrain")]
    rivieres = terms[(TermKind.CATEGORY, "rivieres")]
    # Polylang's translated categories are one term here, with a name per language.
    assert {n.language: n.name for n in terrain.names} == {
        "fr": "Terrain",
        "en": "Fieldwork",
        "it": "Sul campo",
    }
    assert rivieres.parent_id == terrain.id
    assert rivieres.name("en") == "Rivers"
    assert terms[(TermKind.TAG, "ete")].name("fr") == "Été"
    # A category that no post carries is not created.
    assert (TermKind.CATEGORY, "vide") not in terms
    posts = posts_by_slug(session)
    assert {t.slug for t in posts["les-rivieres-oubliees-de-lyon"].terms} == {
        "rivieres",
        "archives",
    }
    assert {t.slug for t in posts["the-forgotten-rivers-of-lyon"].terms} == {"rivieres"}
    assert {t.slug for t in posts["i-fiumi-dimenticati-di-lione"].terms} == {"terrain"}


def test_html_body_is_the_source_rendered_and_sanitized(import_wxr, session):
    import_wxr("polylang.xml", "blog")
    posts = posts_by_slug(session)
    fr = posts["les-rivieres-oubliees-de-lyon"]
    assert fr.source.startswith("Sous les pentes de la Croix-Rousse")
    # WordPress keeps paragraphs as blank lines; Markdown makes them paragraphs again.
    assert "<p>Les plans de 1850 en gardent la trace" in fr.html
    assert "<strong>trois ruisseaux</strong> et un bief.</p>" in fr.html
    assert "<script" not in fr.html and "onclick" not in fr.html
    assert '<a href="https://archives.example.org/plans">' in fr.html
    # "]]>" split across two CDATA sections comes back whole.
    summer = posts["ete-au-bord-de-l-eau"]
    assert "<code>niveaux[crues[0]]]></code>" in summer.source
    assert "<code>niveaux[crues[0]]]&gt;</code>" in summer.html


def test_report_names_what_did_not_come_across(import_wxr):
    output = import_wxr("polylang.xml", "blog").output
    assert "Claire Vautrin (claire): 10" in output and "Marco Bellini (marco): 1" in output
    assert "post 107 “Vergessene Flüsse” (de): the site blog publishes only in fr, en, it" in output
    assert "nav_menu_item 400" in output and "its status is 'auto-draft'" in output
    assert "5 comments imported (3 approved, 1 pending, 1 spam)." in output
    assert "1 pingbacks: not imported" in output
    assert "Converted from WordPress's syntax: 1 [caption], 1 [gallery]" in output
    assert "https://carnet.example.net/wp-content/uploads/2019/03/rhone.jpg (attached to 101)" in (
        output
    )
    assert "Pinned (sticky on WordPress: listed first on the home page):" in output
    assert "page 203 “Flux”: feed → feed-2" in output
    assert "1 categories and tags carried by no post: vide" in output
    assert "1 dates had no UTC counterpart in the export and were read in Europe/Paris." in output


def test_comments_come_across_with_their_threads_authors_and_dates(
    import_wxr, session, author, blog
):
    import_wxr("polylang.xml", "blog")
    post = posts_by_slug(session)["les-rivieres-oubliees-de-lyon"]
    comments = session.scalars(
        select(Comment).where(Comment.post_id == post.id).order_by(Comment.created_at)
    ).all()
    by_name = {(c.name, c.source[:6]): c for c in comments}
    lucie, spam = by_name[("Lucie", "Et la ")], by_name[("cheap pills", "buy no")]
    claire, thanks = by_name[("Claire", "La Riz")], by_name[("Lucie", "Merci ")]
    marc = by_name[("Marc", "Et le ")]
    assert len(comments) == 5  # the pingback stayed behind
    assert (lucie.status, spam.status, marc.status) == ("approved", "spam", "pending")
    assert lucie.created_at == datetime(2019, 3, 5, 11, tzinfo=UTC)
    # A reply to a reply hangs under the comment that began the thread (one level deep).
    assert claire.parent_id == lucie.id and thanks.parent_id == lucie.id
    assert claire.by_author and not lucie.by_author  # claire@example.org has an account
    assert claire.website == "https://carnet.example.net/" and claire.address_hash is None
    assert marc.email == "marc@example.org" and "<em>sous</em>" in claire.html
    page = blog.get("/fr/2019/03/les-rivieres-oubliees-de-lyon/").text
    assert "Merci" in page and "Et la Rize" in page
    assert "buy now" not in page and "Furan" not in page and "marc@example.org" not in page


def test_author_is_named_in_the_first_revision(import_wxr, session, author):
    # claire@example.org has an account: the revision is hers.
    import_wxr("polylang.xml", "blog")
    post = posts_by_slug(session)["i-fiumi-dimenticati-di-lione"]
    revision = session.scalars(select(Revision).where(Revision.post_id == post.id)).one()
    assert revision.note == "Imported from WordPress; author: Marco Bellini"
    assert revision.author is None
    post = posts_by_slug(session)["les-rivieres-oubliees-de-lyon"]
    revision = session.scalars(select(Revision).where(Revision.post_id == post.id)).one()
    assert revision.author.email == author.email


def test_book_site_refuses_each_post_in_another_language(import_wxr, session):
    result = import_wxr("polylang.xml", "book")
    assert result.exit_code == 0, result.output
    assert "post 102 “The forgotten rivers of Lyon” (en): the site book publishes only in fr" in (
        result.output
    )
    assert "page 202 “About” (en): the site book publishes only in fr" in result.output
    posts = posts_by_slug(session)
    assert {p.language for p in posts.values()} == {"fr"}
    assert all(p.sites == ["book"] for p in posts.values())
    assert "0 translation groups" in result.output


def test_running_the_same_import_again_changes_nothing(import_wxr, session):
    import_wxr("polylang.xml", "blog")
    counts = [count(session, m) for m in (Post, Term, OldAddress, Revision, Comment)]
    version = store_version(session)
    again = import_wxr("polylang.xml", "blog")
    assert again.exit_code == 0, again.output
    assert (
        "0 posts, 0 pages, 0 terms, 0 translation groups and 0 redirects created; "
        "11 items were already imported." in again.output
    )
    assert [count(session, m) for m in (Post, Term, OldAddress, Revision, Comment)] == counts
    assert store_version(session) == version


def test_a_later_export_completes_a_translation_group(import_wxr, session, tmp_path):
    # The first export knew only the French post of the group.
    text = (DATA / "polylang.xml").read_text(encoding="utf-8")
    start = text.index("\t<item>\n\t\t<title><![CDATA[The forgotten rivers")
    end = text.index("\t<item>\n\t\t<title><![CDATA[Été au bord")
    partial = tmp_path / "partial.xml"
    partial.write_text(text[:start] + text[end:], encoding="utf-8")
    first = import_wxr(str(partial), "blog")  # an absolute path: DATA / it is itself
    assert "1 translation groups" in first.output  # only the pages' group is complete
    second = import_wxr("polylang.xml", "blog")
    assert "2 posts, 0 pages" in second.output and "1 translation groups" in second.output
    posts = posts_by_slug(session)
    keys = {posts[s].translation_key for s in ("les-rivieres-oubliees-de-lyon",
            "the-forgotten-rivers-of-lyon", "i-fiumi-dimenticati-di-lione")}  # fmt: skip
    assert len(keys) == 1


@pytest.mark.parametrize(
    ("name", "where", "problem"),
    [
        ("broken.xml", "line 10, column 9", "Opening and ending tag mismatch"),
        ("wrong-encoding.xml", "line 11, column 18", "Invalid bytes in character encoding"),
    ],
)
def test_malformed_file_is_refused_with_its_position(import_wxr, session, name, where, problem):
    version = store_version(session)
    result = import_wxr(name, "blog")
    assert result.exit_code == 1
    assert f"{name}: {where}: {problem}" in result.output
    assert "Nothing was imported." in result.output
    assert count(session, Post) == count(session, Term) == 0
    assert store_version(session) == version


def test_failure_midway_leaves_the_store_untouched(import_wxr, session, monkeypatch):
    calls = []
    original = wordpress._Import._old_addresses

    def fail_on_the_third(self, post, plan):
        calls.append(post)
        if len(calls) == 3:
            raise wordpress.WordPressImportError("the disk is full")
        return original(self, post, plan)

    monkeypatch.setattr(wordpress._Import, "_old_addresses", fail_on_the_third)
    result = import_wxr("polylang.xml", "blog")
    assert result.exit_code == 1
    assert "the disk is full. Nothing was imported." in result.output
    assert [count(session, m) for m in (Post, Term, OldAddress, Revision)] == [0, 0, 0, 0]


def test_latin1_export_declared_in_its_prolog(import_wxr, session):
    result = import_wxr("latin1.xml", "book")
    assert result.exit_code == 0, result.output
    post = posts_by_slug(session)["les-crues-de-lete"]
    assert post.title == "Les crues de l'été"
    assert post.source == "L'été, la rivière déborde à Château-Thierry."
    # WXR 1.0 repeats each term without its nicename: one of each is kept.
    assert sorted((t.kind, t.slug, t.name("fr")) for t in post.terms) == [
        ("category", "riviere", "Rivière"),
        ("tag", "crue", "crue"),
    ]


def test_wxr_1_1_book_export_with_a_page(import_wxr, session):
    result = import_wxr("book.xml", "book")
    assert "1 posts, 1 pages, 3 terms" in result.output
    assert "Converted from WordPress's syntax: 1 [embed]" in result.output
    posts = posts_by_slug(session)
    radio = next(t for t in posts["parution-du-livre"].terms if t.slug == "radio")
    presse = session.scalar(select(Term).where(Term.slug == "presse"))
    assert radio.parent_id == presse.id
    assert posts["dossier-de-presse"].menu_order == 3


def test_command_checks_its_options(import_wxr):
    assert "there is no site 'nowhere'" in import_wxr("book.xml", "nowhere").output
    refused = import_wxr("book.xml", "book", "--language", "en")
    assert refused.exit_code == 2 and "the site book publishes only in fr" in refused.output
    assert (
        "unknown time zone" in import_wxr("book.xml", "book", "--timezone", "Mars/Olympus").output
    )


def test_parse_joins_cdata_sections_and_reads_the_channel():
    export = wxr.parse(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"\n'
        b' xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        b"<channel><title>T</title><wp:wxr_version>1.2</wp:wxr_version>\n"
        b"<item><wp:post_id>3</wp:post_id><content:encoded>"
        b"<![CDATA[a]]]]><![CDATA[>b]]><![CDATA[ c]]></content:encoded></item>\n"
        b"</channel></rss>"
    )
    assert export.version == "1.2"
    assert export.items[0].content == "a]]>b c"
    assert export.items[0].post_type == "post"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><rss><channel><title>No WordPress here</title></channel></rss>',
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "x">]>'
        b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel/></rss>',
    ],
)
def test_what_is_not_a_wordpress_export_is_refused(data):
    with pytest.raises(wxr.WXRError):
        wxr.parse(data)
