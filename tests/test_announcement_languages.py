"""Announcements that follow the reader's language (issue 16, point 4)."""

from lxml import html as lxml_html

from blog.models import Kind, Post, PublicationKind, Status, utcnow

BOOK_URL, BLOG_URL = "http://book.localhost:5000", "http://blog.localhost:5000"


def path_of(post, prefix=""):
    return f"{prefix}/{post.published_at:%Y/%m}/{post.slug}/"


def announce(session, original, site="book", language="fr", slug="annonce"):
    announcement = Post(
        kind=Kind.ANNOUNCEMENT,
        announces=original,
        language=language,
        title="Annonce",
        slug=slug,
        status=Status.PUBLISHED,
    )
    announcement.set_source("Court texte.")
    session.add(announcement)
    announcement.publish_on(site, PublicationKind.HOME)
    session.commit()
    return announcement


def read_on(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.data).xpath('//p[@class="read-on"]/a')[0]


def test_a_french_announcement_leads_to_the_published_french_translation(book, session, make_post):
    original = make_post(language="en", slug="flood-marks")
    french = make_post(language="fr", slug="reperes-de-crue", translation_of=original)
    announcement = announce(session, original)
    link = read_on(book, path_of(announcement))
    assert link.get("href") == BLOG_URL + path_of(french, "/fr")
    assert link.get("hreflang") == "fr"
    assert "(en " not in link.text_content()  # no "(in English)": the text is French
    home_link = lxml_html.fromstring(book.get("/").data).xpath('//p[@class="read-on"]/a/@href')
    assert home_link == [BLOG_URL + path_of(french, "/fr")]
    feed = book.get("/feed.json").json
    assert feed["items"][0]["url"] == BLOG_URL + path_of(french, "/fr")


def test_a_draft_translation_leaves_the_link_on_the_original(book, session, make_post):
    original = make_post(language="en", slug="flood-marks")
    make_post(language="fr", slug="reperes", translation_of=original, status=Status.DRAFT)
    announcement = announce(session, original)
    link = read_on(book, path_of(announcement))
    assert link.get("href") == BLOG_URL + path_of(original, "/en")
    assert link.get("hreflang") == "en"


def test_the_announcement_lives_while_the_french_translation_does(book, session, make_post):
    original = make_post(language="en", slug="flood-marks")
    french = make_post(language="fr", slug="reperes-de-crue", translation_of=original)
    announcement = announce(session, original)
    original.deleted_at = utcnow()
    session.commit()
    link = read_on(book, path_of(announcement))
    assert link.get("href") == BLOG_URL + path_of(french, "/fr")
    assert b"Annonce" in book.get("/").data
    french.status = Status.DRAFT
    session.commit()
    assert book.get(path_of(announcement)).status_code == 410
    assert b"Annonce" not in book.get("/").data


def test_a_translation_in_another_language_does_not_keep_the_announcement(book, session, make_post):
    original = make_post(language="en", slug="flood-marks")
    make_post(language="it", slug="segni-di-piena", translation_of=original)
    announcement = announce(session, original)
    original.status = Status.DRAFT
    session.commit()
    assert book.get(path_of(announcement)).status_code == 410


def test_listing_announcements_costs_the_same_for_one_or_many(
    book, session, make_post, count_queries
):
    def cost():
        with count_queries() as counter:
            assert book.get("/", headers={"Cache-Control": "no-cache"}).status_code == 200
        return counter.count

    first = make_post(language="en", slug="en-0")
    make_post(language="fr", slug="fr-0", translation_of=first)
    announce(session, first, slug="annonce-0")
    one = cost()
    for n in range(1, 5):
        original = make_post(language="en", slug=f"en-{n}")
        make_post(language="fr", slug=f"fr-{n}", translation_of=original)
        announce(session, original, slug=f"annonce-{n}")
    assert cost() == one
