"""Cross-posting: full cross-posts and announcements, kept in step with their post."""

from datetime import UTC, datetime

import pytest
from lxml import etree
from lxml import html as lxml_html
from sqlalchemy import select

from blog.models import Kind, Post, PublicationKind, Status
from blog.rules import ContentRuleError

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def announce(session):
    """Return a function that stores an announcement of `original` on `site`."""

    def make(original, site, language="fr", title="Annonce", slug=None, text="Court texte.",
             status=Status.PUBLISHED):  # fmt: skip
        announcement = Post(
            kind=Kind.ANNOUNCEMENT,
            announces=original,
            language=language,
            title=title,
            slug=slug or f"annonce-{original.id}-{site}-{language}",
            status=status,
        )
        announcement.set_source(text)
        session.add(announcement)
        announcement.publish_on(site, PublicationKind.HOME)
        session.commit()
        return announcement

    return make


def path_of(post, prefix=""):
    return f"{prefix}/{post.published_at:%Y/%m}/{post.slug}/"


def test_book_post_announced_on_the_blog(blog, make_post, announce):
    original = make_post(language="fr", sites=("book",), slug="parution", title="Parution")
    announcement = announce(original, "blog", title="Le livre paraît")
    home = lxml_html.fromstring(blog.get("/fr/").data)
    teaser = home.xpath('//article[h2/a[contains(., "Le livre paraît")]]')[0]
    read_on = teaser.xpath('.//p[@class="read-on"]/a')[0]
    assert read_on.get("href") == "http://book.localhost:5000/" + path_of(original)[1:]
    assert read_on.text_content() == "Lire la suite sur La Mémoire des rivières"
    page = lxml_html.fromstring(blog.get(path_of(announcement, "/fr")).data)
    assert page.xpath('//p[@class="read-on"]/a/@href') == [read_on.get("href")]
    assert page.xpath('//link[@rel="canonical"]/@href') == [
        "http://blog.localhost:5000" + path_of(announcement, "/fr")
    ]


def test_blog_post_announced_on_the_book_site_in_both_directions(book, blog, make_post, announce):
    original = make_post(language="en", sites=("blog",), slug="flood-marks")
    announcement = announce(original, "book", language="fr", title="Les repères de crue")
    response = book.get(path_of(announcement))
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.data)
    link = tree.xpath('//p[@class="read-on"]/a')[0]
    assert link.get("href") == "http://blog.localhost:5000/en/" + path_of(original)[1:]
    assert link.get("hreflang") == "en"
    # The original shows, discreetly, that it is announced on the book site.
    original_page = lxml_html.fromstring(blog.get(path_of(original, "/en")).data)
    also = original_page.xpath('//p[@class="also-on"]/a/@href')
    assert also == ["http://book.localhost:5000" + path_of(announcement)]


def test_full_cross_post_in_both_directions(book, blog, make_post):
    from_book = make_post(language="fr", sites=("book", "blog"), slug="du-livre")
    from_blog = make_post(language="fr", sites=("blog", "book"), slug="du-carnet")
    on_blog = lxml_html.fromstring(blog.get(path_of(from_book, "/fr")).data)
    assert on_blog.xpath('//link[@rel="canonical"]/@href') == [
        "http://book.localhost:5000" + path_of(from_book)
    ]
    on_book = lxml_html.fromstring(book.get(path_of(from_blog)).data)
    assert on_book.xpath('//link[@rel="canonical"]/@href') == [
        "http://blog.localhost:5000" + path_of(from_blog, "/fr")
    ]
    assert "du-livre" in blog.get("/fr/").text and "du-carnet" in book.get("/").text


def test_an_english_post_cannot_be_announced_in_english_on_the_book_site(make_post, announce):
    original = make_post(language="en", sites=("blog",))
    with pytest.raises(ContentRuleError) as refused:
        announce(original, "book", language="en")
    assert refused.value.rule == "site_language"


def test_a_post_cannot_be_announced_on_its_home_site(make_post, announce):
    original = make_post(language="fr", sites=("book",))
    with pytest.raises(ContentRuleError, match="its own home site"):
        announce(original, "book")


def test_one_announcement_per_site_and_language(make_post, announce, session):
    original = make_post(language="fr", sites=("book",))
    announce(original, "blog", language="fr")
    with pytest.raises(ContentRuleError) as refused:
        announce(original, "blog", language="fr", slug="another")
    assert refused.value.rule == "announcement_unique"
    session.rollback()
    english = announce(original, "blog", language="en", title="Announcement", slug="in-english")
    assert english.home_site == "blog"


def test_announcements_of_one_post_on_one_site_are_translations(blog, make_post, announce):
    original = make_post(language="fr", sites=("book",))
    fr = announce(original, "blog", language="fr")
    en = announce(original, "blog", language="en", title="Out now", slug="out-now")
    assert fr.translation_key == en.translation_key
    tree = lxml_html.fromstring(blog.get(path_of(en, "/en")).data)
    hreflangs = sorted(tree.xpath("//link[@hreflang]/@hreflang"))
    assert hreflangs == ["en", "fr", "x-default"]


def test_a_post_announced_on_a_site_cannot_also_be_there_in_full(make_post, announce, session):
    original = make_post(language="fr", sites=("book",))
    announce(original, "blog")
    original.publish_on("blog")
    with pytest.raises(ContentRuleError) as refused:
        session.commit()
    assert refused.value.rule == "announcement_site"


def test_a_post_already_in_full_on_a_site_cannot_be_announced_there(make_post, announce):
    original = make_post(language="fr", sites=("book", "blog"))
    with pytest.raises(ContentRuleError, match="already appears in full"):
        announce(original, "blog")


def test_the_link_follows_a_slug_change_and_the_old_url_redirects(
    book, blog, make_post, announce, session
):
    original = make_post(language="fr", sites=("book",), slug="ancien-titre")
    announcement = announce(original, "blog")
    old_path = path_of(original)
    original.slug = "nouveau-titre"
    session.commit()
    page = lxml_html.fromstring(blog.get(path_of(announcement, "/fr")).data)
    assert page.xpath('//p[@class="read-on"]/a/@href') == [
        "http://book.localhost:5000" + path_of(original)
    ]
    moved = book.get(old_path)
    assert moved.status_code == 301
    assert moved.headers["Location"] == path_of(original)


def test_the_listing_follows_the_original_date(blog, make_post, announce, session):
    original = make_post(
        language="fr", sites=("book",), published_at=datetime(2024, 5, 1, tzinfo=UTC)
    )
    announcement = announce(original, "blog")
    assert announcement.published_at == original.published_at
    original.published_at = datetime(2025, 9, 9, tzinfo=UTC)
    session.commit()
    session.expire_all()
    moved = session.get(Post, announcement.id)
    assert moved.published_at == datetime(2025, 9, 9, tzinfo=UTC)
    assert "Annonce" in blog.get("/fr/2025/09/").text
    assert "Annonce" not in blog.get("/fr/2024/05/").text


@pytest.mark.parametrize("change", ["unpublish", "trash"])
def test_withdrawing_the_original_hides_its_announcements(
    blog, make_post, announce, session, change
):
    original = make_post(language="fr", sites=("book",))
    announcement = announce(original, "blog", title="Annonce visible")
    path = path_of(announcement, "/fr")
    assert blog.get(path).status_code == 200
    if change == "unpublish":
        original.status = Status.DRAFT
    else:
        original.deleted_at = datetime.now(UTC)
    session.commit()
    assert "Annonce visible" not in blog.get("/fr/").text
    assert "Annonce visible" not in blog.get("/fr/feed.atom").text
    gone = blog.get(path)
    assert gone.status_code == 410
    assert "Cette annonce menait à un article qui n'est plus publié." in gone.text


def test_target_site_feed_carries_the_announcement_with_the_original_url(blog, make_post, announce):
    original = make_post(language="fr", sites=("book",), slug="parution")
    announce(original, "blog", title="Le livre paraît")
    feed = etree.fromstring(blog.get("/fr/feed.atom").data)
    entry = next(
        e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Le livre paraît"
    )
    assert entry.find(f"{ATOM}link").get("href") == "http://book.localhost:5000" + path_of(original)
    assert "http://book.localhost:5000" + path_of(original) in entry.findtext(f"{ATOM}content")


def test_announce_command(app, make_post, session):
    original = make_post(language="en", sites=("blog",), summary="A short summary.")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["announce", str(original.id), "--on", "book"])
    assert refused.exit_code != 0 and "--title" in refused.output
    result = runner.invoke(
        args=["announce", str(original.id), "--on", "book", "--title", "Une annonce"]
    )
    assert result.exit_code == 0, result.output
    announcement = session.scalar(select(Post).where(Post.kind == Kind.ANNOUNCEMENT))
    assert announcement.language == "fr" and announcement.home_site == "book"
    assert announcement.source == "A short summary."
    again = runner.invoke(
        args=["announce", str(original.id), "--on", "book", "--title", "Encore", "--slug", "encore"]
    )
    assert again.exit_code != 0 and "already has an announcement" in again.output
    home = runner.invoke(args=["announce", str(original.id), "--on", "blog"])
    assert home.exit_code != 0 and "announce it on another site" in home.output


def test_desk_announce_form_is_prefilled_and_saves(desk, make_post, session):
    original = make_post(language="fr", sites=("book",), title="Parution", summary="Résumé.")
    editor = desk.get(f"/admin/posts/{original.id}")
    assert f"/admin/posts/{original.id}/announce?site=blog" in editor.text
    form = lxml_html.fromstring(desk.get(f"/admin/posts/{original.id}/announce?site=blog").data)
    assert form.xpath('//input[@id="title"]/@value') == ["Parution"]
    assert form.xpath('//textarea[@id="source"]/text()') == ["Résumé."]
    response = desk.send(
        f"/admin/posts/{original.id}/announce",
        {"site": "blog", "language": "fr", "title": "Parution !", "slug": "", "source": "Vite.",
         "status": "published"},
    )  # fmt: skip
    assert response.status_code == 302
    announcement = session.scalar(select(Post).where(Post.kind == Kind.ANNOUNCEMENT))
    assert announcement.announces_id == original.id
    assert announcement.slug == "parution"
    # The desk shows, on each side, what is announced where.
    assert "Announced on" in desk.get(f"/admin/posts/{original.id}").text
    assert "Parution" in desk.get(f"/admin/announcements/{announcement.id}").text


def test_desk_announce_refusal_keeps_the_text(desk, make_post):
    original = make_post(language="en", sites=("blog",), title="Flood marks")
    response = desk.send(
        f"/admin/posts/{original.id}/announce",
        {"site": "book", "language": "en", "title": "Flood marks", "source": "My words",
         "status": "published"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "publishes only in French" in response.text
    assert "My words" in response.text
