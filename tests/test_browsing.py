"""Browsing: the archive and category indexes, the footer and menus, error pages with the site's
header, the links between sites, and the reader's "only in my language" choice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import html

from blog.models import Post, PublicationKind, Status

from .helpers import BLOG, BOOK, SiteClient, make_app
from .test_page_cache import cached_app


def page(response):
    assert response.status_code == 200, response.status_code
    return html.fromstring(response.data)


@pytest.fixture
def store(make_post, make_term):
    """The blog in three languages (fallbacks shown), a draft, a scheduled post, the book's own."""
    field = make_term("category", "terrain", fr="Terrain", en="Fieldwork", it="Sul campo")
    method = make_term("category", "methode", fr="Méthode", en="Method")
    march, april = datetime(2025, 3, 5, tzinfo=UTC), datetime(2025, 4, 2, tzinfo=UTC)
    translated = make_post("fr", title="Crue", published_at=march, terms=(field,))
    make_post("en", title="Flood", translation_of=translated, published_at=march, terms=(field,))
    make_post("fr", title="Seulement en français", published_at=march, terms=(field, method))
    make_post("en", title="Only in English", published_at=april, terms=(field,))
    make_post("it", title="Solo in italiano", published_at=datetime(2024, 12, 1, tzinfo=UTC))
    make_post("fr", title="Brouillon", published_at=march, status=Status.DRAFT, terms=(field,))
    make_post("fr", title="Plus tard", published_at=datetime(2099, 1, 1, tzinfo=UTC))
    make_post("fr", sites=("book",), title="Du livre", published_at=march, terms=(method,))
    return field


def archive_counts(client, language: str) -> dict[str, int]:
    """Return {month page path: count} as the archive index of `language` says."""
    tree = page(client.get(f"/{language}/archive/" if language else "/archive/"))
    found = {}
    for item in tree.xpath('//ul[@class="archive-months"]/li'):
        count = item.xpath('span[@class="count"]/text()')[0]
        found[item.xpath("a/@href")[0]] = int(count.strip("()").split()[0])
    return found


def teasers(client, path: str) -> int:
    return len(page(client.get(path)).xpath('//article[@class="teaser"]'))


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_the_archive_counts_what_each_month_page_lists(blog, store, language):
    counts = archive_counts(blog, language)
    assert counts, language
    for path, count in counts.items():
        assert teasers(blog, path) == count, path


def test_the_archive_counts_fallbacks_by_the_sites_policy(blog, store):
    # The English reader: the translation, the French-only post and the Italian-only one
    # (shown as fallbacks), the English post; never the draft, the scheduled or the book's.
    assert archive_counts(blog, "en") == {"/en/2025/04/": 1, "/en/2025/03/": 2, "/en/2024/12/": 1}
    assert archive_counts(blog, "fr") == {"/fr/2025/04/": 1, "/fr/2025/03/": 2, "/fr/2024/12/": 1}
    tree = page(blog.get("/en/archive/"))
    assert tree.xpath('//h2[@id="year-2025"]/span/text()')[0].strip() == "(3 posts)"


def test_the_book_sites_archive_lists_its_own_posts_in_french(book, store):
    assert archive_counts(book, "") == {"/2025/03/": 1}
    assert "(1 billet)" in page(book.get("/archive/")).text_content()


def test_the_category_index_counts_what_each_category_page_lists(blog, book, store):
    tree = page(blog.get("/en/category/"))
    items = tree.xpath('//ul[@class="category-index"]/li')
    names = [item.xpath("a/text()")[0] for item in items]
    assert names == ["Fieldwork", "Method"]  # by name in the reader's language
    for item in items:
        count = int(item.xpath('span[@class="count"]/text()')[0].strip("()").split()[0])
        assert teasers(blog, item.xpath("a/@href")[0]) == count
    assert [i.xpath("a/@href")[0] for i in page(book.get("/category/")).xpath("//li[span]")] == [
        "/category/methode/"
    ]


@pytest.mark.parametrize(
    ("base", "path"),
    [
        (BLOG, "/en/"),
        (BLOG, "/en/archive/"),
        (BLOG, "/en/category/"),
        (BLOG, "/en/category/terrain/"),
        (BLOG, "/en/2025/03/"),
        (BLOG, "/en/no-such-page/"),
        (BOOK, "/"),
        (BOOK, "/nope/"),
    ],
)
def test_every_page_links_the_archive_and_the_categories_in_its_footer(app, store, base, path):
    client = SiteClient(app, app.response_class, base_url=base)
    tree = html.fromstring(client.get(path).data)
    prefix = "/en" if base == BLOG else ""
    links = tree.xpath('//footer//nav[@class="browse"]//a/@href')
    assert links == [f"{prefix}/archive/", f"{prefix}/category/"]


@pytest.mark.parametrize(
    ("path", "current"),
    [("/en/", "Home"), ("/en/archive/", "Archive"), ("/en/category/", "Categories")],
)
def test_menus_mark_the_current_page(blog, store, path, current):
    tree = page(blog.get(path))
    marked = [a.text_content().strip() for a in tree.xpath('//a[@aria-current="page"]')]
    assert marked == [current]


def test_the_menu_marks_the_page_being_read_and_a_section(book, make_post):
    make_post(kind="page", sites=("book",), slug="le-livre", title="Le livre", menu_order=1)
    tree = page(book.get("/le-livre/"))
    assert tree.xpath('//nav[@class="site-nav"]//a[@aria-current="page"]/text()') == ["Le livre"]
    tree = page(book.get("/rencontres/"))
    assert tree.xpath('//nav[@class="site-nav"]//a[@aria-current="page"]/@href') == ["/rencontres/"]


def test_a_404_keeps_the_header_menu_and_language_switcher(blog, make_post):
    make_post("it", kind="page", slug="chi-sono", title="Chi sono", menu_order=1)
    response = blog.get("/it/non-esiste/")
    assert response.status_code == 404
    tree = html.fromstring(response.data)
    assert tree.get("lang") == "it"
    assert tree.xpath('//nav[@class="site-nav"]//a/text()')[:2] == ["Home", "Chi sono"]
    switcher = tree.xpath('//nav[@class="language-switcher"]//a/@href')
    assert switcher == ["/language/fr?next=%2Ffr%2F", "/language/en?next=%2Fen%2F"]
    assert tree.xpath('//nav[@class="other-sites"]//a/@href') == ["http://book.localhost:5000/"]


def test_a_500_with_the_store_down_keeps_the_header_without_its_menu(tmp_path):
    # A store that cannot be opened: every statement fails, the error page's own included.
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/store.sqlite3"})
    response = SiteClient(app, app.response_class, base_url=BLOG).get("/en/")
    assert response.status_code == 500
    tree = html.fromstring(response.data)
    assert tree.xpath('//nav[@class="site-nav"]//a/text()') == ["Home"]
    assert len(tree.xpath('//nav[@class="language-switcher"]//li')) == 3
    assert tree.xpath("//footer//nav//a/@href") == ["/en/archive/", "/en/category/"]


def test_only_in_my_language_is_remembered_and_hides_fallbacks(blog, store):
    assert teasers(blog, "/it/") == 4  # Italian, then the others' versions with their badge
    toggle = page(blog.get("/it/")).xpath('//p[@class="only-toggle"]/a/@href')
    assert toggle == ["/only/on?next=/it/"]
    response = blog.get(toggle[0])
    assert (response.status_code, response.headers["Location"]) == (303, "/it/")
    assert teasers(blog, "/it/") == 1
    assert archive_counts(blog, "it") == {"/it/2024/12/": 1}
    assert teasers(blog, "/it/category/terrain/") == 0
    # Remembered on every listing, in any language, until the reader changes their mind.
    assert teasers(blog, "/en/2025/03/") == 1
    tree = page(blog.get("/en/"))
    assert tree.xpath('//p[@class="only-toggle"]/a/@href') == ["/only/off?next=/en/"]
    blog.get("/only/off?next=/en/")
    assert teasers(blog, "/it/") == 4


def test_listings_vary_on_the_choice_and_pages_do_not(blog, book, store):
    assert blog.get("/en/").headers["Vary"] == "Cookie"
    assert blog.get("/en/archive/").headers["Vary"] == "Cookie"
    assert "Vary" not in blog.get("/en/2025/03/flood/").headers
    assert "Vary" not in book.get("/").headers  # one language: nothing to choose


@pytest.mark.parametrize(
    ("base", "path", "status"),
    [
        (BOOK, "/only/on", 404),  # nothing to choose on a site without fallbacks
        (BLOG, "/only/maybe", 404),
        (BLOG, "/only/on?next=//evil.example/", 303),
        (BLOG, "/only/on?next=https://evil.example/", 303),
    ],
)
def test_the_choice_is_no_open_redirect(app, base, path, status):
    response = SiteClient(app, app.response_class, base_url=base).get(path)
    assert response.status_code == status
    if status == 303:
        assert response.headers["Location"].startswith("/")
        assert "evil" not in response.headers["Location"]


@pytest.mark.parametrize("mode", ["memory"])
@pytest.mark.parametrize("fast_path", [False, True])
def test_cached_listings_never_give_one_readers_choice_to_another(database_url, mode, fast_path):
    for app in cached_app(database_url, mode, fast_path):
        with app.extensions["db"]["sessionmaker"]() as session:
            for language in ("en", "fr"):
                post = Post(kind="post", language=language, title=language, slug=language,
                            status=Status.PUBLISHED,
                            published_at=datetime(2025, 3, 1, tzinfo=UTC))  # fmt: skip
                post.set_source("Text.", session=session)
                post.publish_on("blog", PublicationKind.HOME)
                session.add(post)
            session.commit()
        only = app.config["ONLY_LANGUAGE_COOKIE"]
        for _ in range(2):  # a cold then a warm cache, in both orders
            for cookie in (None, "1", None):
                client = app.test_client()
                if cookie:
                    client.set_cookie(only, cookie, domain="blog.localhost")
                tree = html.fromstring(client.get("/en/", base_url=BLOG).data)
                assert len(tree.xpath("//article")) == (1 if cookie else 2)


@pytest.mark.parametrize("path", ["/en/archive/", "/en/category/"])
def test_the_indexes_cost_the_same_statements_whatever_the_archive(
    blog, make_post, make_term, count_queries, path
):
    field = make_term("category", "terrain", en="Fieldwork")

    def statements() -> int:
        with count_queries() as counter:
            assert blog.get(path).status_code == 200
        return counter.count

    for month in (1, 2):
        make_post("en", published_at=datetime(2025, month, 3, tzinfo=UTC), terms=(field,))
    few = statements()
    for month in range(3, 13):
        for day in (1, 2, 3):
            make_post(("en", "fr")[day % 2], terms=(field,),
                      published_at=datetime(2024, month, day, tzinfo=UTC))  # fmt: skip
    assert statements() == few
