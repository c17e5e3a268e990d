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


def test_trashing_lists_the_announcements_it_silences_and_asks_first(desk, session, make_post):
    original = make_post(language="en", slug="flood-marks")
    french = make_post(language="fr", slug="reperes", translation_of=original)
    on_french = announce(session, original, slug="annonce-fr")
    page = desk.get(f"/admin/posts/{french.id}/trash/confirm")
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.data)
    effects = tree.xpath('//ul[@class="effects"]/li')
    assert len(effects) == 1 and "Annonce" in effects[0].text_content()
    assert "instead, in English" in effects[0].text_content()  # the original is still live
    assert tree.xpath('//ul[@class="withdrawn"]/li/a/@href') == [BLOG_URL + path_of(french, "/fr")]
    # Nothing moved yet: asking is not doing.
    session.expire_all()
    assert session.get(Post, french.id).deleted_at is None
    page = lxml_html.fromstring(desk.get(f"/admin/posts/{original.id}/trash/confirm").data)
    assert page.xpath('//ul[@class="effects"]/li') == []  # it leads to the French version
    original.deleted_at = utcnow()
    session.commit()
    page = lxml_html.fromstring(desk.get(f"/admin/posts/{french.id}/trash/confirm").data)
    assert "410 Gone" in page.xpath('//ul[@class="effects"]/li')[0].text_content()
    response = desk.send(f"/admin/posts/{french.id}/trash")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Post, french.id).deleted_at is not None
    assert session.get(Post, on_french.id).deleted_at is None


def test_unpublishing_asks_then_makes_a_draft(desk, book, session, make_post):
    original = make_post(language="fr", slug="crues")
    announcement = announce(session, original, site="book", slug="annonce-crues")
    assert original.home_site == "blog"
    page = lxml_html.fromstring(desk.get(f"/admin/posts/{original.id}/unpublish/confirm").data)
    assert "410 Gone" in page.xpath('//ul[@class="effects"]/li')[0].text_content()
    assert desk.send(f"/admin/posts/{original.id}/unpublish").status_code == 302
    session.expire_all()
    assert session.get(Post, original.id).status == Status.DRAFT
    assert book.get(path_of(announcement)).status_code == 410
    # Already a draft: nothing to confirm, nothing to do.
    assert desk.get(f"/admin/posts/{original.id}/unpublish/confirm").status_code == 302
    assert desk.send(f"/admin/posts/{original.id}/unpublish").status_code == 409


def test_an_orphaned_announcement_is_shown_as_such(desk, session, make_post):
    original = make_post(language="en", slug="flood-marks")
    announcement = announce(session, original)
    original.deleted_at = utcnow()
    session.commit()
    listing = lxml_html.fromstring(desk.get("/admin/?site=book").data)
    row = listing.xpath(f'//tr[td/a[contains(@href, "/posts/{announcement.id}")]]')[0]
    assert "Orphaned" in row.text_content() and "Scheduled" not in row.text_content()
    editor = lxml_html.fromstring(desk.get(f"/admin/announcements/{announcement.id}").data)
    assert "410 Gone" in editor.xpath('//p[@class="announcement-page"]')[0].text_content()


def test_the_announcement_editor_links_to_its_own_page(desk, session, make_post):
    original = make_post(language="en", slug="flood-marks")
    french = make_post(language="fr", slug="reperes", translation_of=original)
    announcement = announce(session, original)
    editor = lxml_html.fromstring(desk.get(f"/admin/announcements/{announcement.id}").data)
    own = editor.xpath('//p[@class="announcement-page"]')[0]
    assert own.xpath("a/@href") == [BOOK_URL + path_of(announcement)]
    assert "version in French" in own.text_content()
    assert french.id
