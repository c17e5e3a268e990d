"""The desk's post list at scale (issue 16, point 5): search, sort, filters, view links, bulk
actions, statement counts, the calendar of scheduled posts."""

from datetime import UTC, datetime, timedelta

from lxml import html as lxml_html

from blog.models import Kind, Post, PublicationKind, Status, TermKind


def titles(response):
    assert response.status_code == 200, response.status_code
    tree = lxml_html.fromstring(response.data)
    return [a.text_content() for a in tree.xpath("//table[@class='posts']/tbody/tr/td[2]/a[1]")]


def test_full_text_search_finds_words_in_the_text(desk, make_post):
    make_post(title="Crues", summary="La Saône", source="Le **Rhône** déborde.")
    make_post(title="Rivières", source="La Saône gèle.")
    make_post(title="Autre", source="Rien.")
    assert titles(desk.get("/admin/?q=rhône")) == ["Crues"]
    assert sorted(titles(desk.get("/admin/?q=saône"))) == ["Crues", "Rivières"]
    assert titles(desk.get("/admin/?q=saône+gèle")) == ["Rivières"]
    assert titles(desk.get("/admin/?q=%25")) == []  # a LIKE wildcard is a character here


def test_sorting_by_title_and_by_date(desk, make_post):
    make_post(title="Beta", published_at=datetime(2024, 1, 1, tzinfo=UTC))
    make_post(title="Alpha", published_at=datetime(2023, 1, 1, tzinfo=UTC))
    make_post(title="Gamma", published_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert titles(desk.get("/admin/")) == ["Gamma", "Beta", "Alpha"]
    assert titles(desk.get("/admin/?sort=title")) == ["Alpha", "Beta", "Gamma"]
    assert titles(desk.get("/admin/?sort=-title")) == ["Gamma", "Beta", "Alpha"]
    assert titles(desk.get("/admin/?sort=date")) == ["Alpha", "Beta", "Gamma"]
    assert desk.get("/admin/?sort=nonsense").status_code == 404


def test_filters_by_kind_and_outdated(desk, make_post, session):
    original = make_post(language="en", title="Original", slug="orig")
    announcement = Post(kind=Kind.ANNOUNCEMENT, announces=original, language="fr",
                        title="Annonce", slug="annonce", status=Status.PUBLISHED)  # fmt: skip
    announcement.set_source("Court.")
    announcement.publish_on("book", PublicationKind.HOME)
    session.add(announcement)
    french = make_post(language="fr", title="Traduction", translation_of=original)
    french.follow(original, None)
    session.commit()
    assert titles(desk.get("/admin/?only=announcement")) == ["Annonce"]
    assert "Annonce" not in titles(desk.get("/admin/?only=post"))
    assert titles(desk.get("/admin/?outdated=1")) == []
    original.set_source("Changed.")
    session.commit()
    assert titles(desk.get("/admin/?outdated=1")) == ["Traduction"]


def test_each_site_of_a_live_post_has_a_view_link(desk, make_post):
    post = make_post(language="fr", sites=("blog", "book"), slug="partout")
    make_post(language="fr", slug="brouillon", status=Status.DRAFT)
    tree = lxml_html.fromstring(desk.get("/admin/").data)
    links = tree.xpath("//td/a[@class='site-tag']/@href")
    month = f"{post.published_at:%Y/%m}"
    assert links == [
        f"http://blog.localhost:5000/fr/{month}/partout/",
        f"http://book.localhost:5000/{month}/partout/",
    ]


def test_the_list_costs_the_same_statements_for_many_more_posts(desk, make_post, count_queries):
    def cost():
        with count_queries() as counter:
            assert desk.get("/admin/?page=2").status_code == 200
        return counter.count

    for n in range(60):
        make_post(commit=n == 59)
    first = cost()
    for n in range(200):
        make_post(commit=n == 199)
    assert cost() == first


def test_bulk_publish_and_add_a_term(desk, make_post, make_term, session):
    drafts = [make_post(status=Status.DRAFT, title=f"Draft {n}") for n in range(3)]
    tag = make_term(TermKind.TAG, "floods", en="floods")
    ids = [str(p.id) for p in drafts[:2]]
    response = desk.send("/admin/posts/bulk", {"action": "publish", "post": ids})
    assert response.status_code == 200 and "Posts changed: 2." in response.text
    response = desk.send("/admin/posts/bulk", {"action": "add_term", "term": tag.id, "post": ids})
    session.expire_all()
    assert [session.get(Post, p.id).status for p in drafts] == ["published", "published", "draft"]
    assert [t.slug for t in session.get(Post, drafts[0].id).terms] == ["floods"]


def test_bulk_trash_asks_first_then_moves(desk, make_post, session):
    posts = [make_post(title=f"Post {n}") for n in range(2)]
    ids = [str(p.id) for p in posts]
    asked = desk.send("/admin/posts/bulk", {"action": "trash", "post": ids})
    assert asked.status_code == 200 and 'name="confirmed"' in asked.text
    session.expire_all()
    assert all(session.get(Post, p.id).deleted_at is None for p in posts)
    done = desk.send("/admin/posts/bulk", {"action": "trash", "post": ids, "confirmed": "1"})
    assert "Posts changed: 2." in done.text
    session.expire_all()
    assert all(session.get(Post, p.id).deleted_at is not None for p in posts)


def test_bulk_refuses_without_the_csrf_token_and_odd_actions(desk, make_post, session):
    post = make_post(status=Status.DRAFT)
    response = desk.post("/admin/posts/bulk", data={"action": "publish", "post": [post.id]})
    assert response.status_code == 400
    assert (
        desk.send("/admin/posts/bulk", {"action": "delete", "post": [post.id]}).status_code == 400
    )
    assert desk.send("/admin/posts/bulk", {"action": "add_term", "term": "x",
                                            "post": [post.id]}).status_code == 400  # fmt: skip
    session.expire_all()
    assert session.get(Post, post.id).status == Status.DRAFT


def test_the_calendar_shows_the_scheduled_posts_of_a_month(desk, make_post, clock):
    soon = clock() + timedelta(days=40)
    make_post(title="Plus tard", published_at=soon)
    make_post(title="Déjà là", published_at=clock() - timedelta(days=1))
    page = desk.get(f"/admin/calendar?month={soon:%Y-%m}")
    tree = lxml_html.fromstring(page.data)
    assert [a.text_content() for a in tree.xpath("//p[@class='scheduled']/a")] == ["Plus tard"]
    assert desk.get("/admin/calendar?month=2025-13").status_code == 404
    assert desk.get("/admin/calendar?month=x").status_code == 404
    assert desk.get("/admin/calendar").status_code == 200


def test_a_search_is_paged_and_scans_the_texts_once(desk, make_post, count_queries):
    for n in range(60):
        make_post(title=f"Crue {n:02d}", source="La Loire monte.", commit=False)
    for n in range(40):
        make_post(title=f"Autre {n:02d}", source="Rien.", commit=n == 39)
    first = desk.get("/admin/?q=loire&sort=title")
    assert titles(first) == [f"Crue {n:02d}" for n in range(25)]
    assert "Page 1 of 3" in first.text
    with count_queries() as counter:
        second = desk.get("/admin/?q=loire&sort=title&page=2")
    assert titles(second) == [f"Crue {n:02d}" for n in range(25, 50)]
    assert "Page 2 of 3" in second.text
    # The texts are read by one statement: the page and its count come from the same ids.
    scanning = [s for s in counter.statements if "LIKE" in s]
    assert len(scanning) == 1, scanning
    assert titles(desk.get("/admin/?q=loire&sort=title&page=3")) == [
        f"Crue {n:02d}" for n in range(50, 60)
    ]
    assert desk.get("/admin/?q=loire&page=4").status_code == 404
