"""The reader's pages: listings, posts, translations, fallbacks, archives."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html

from .helpers import BLOG, SITES_FILE, SiteClient, make_app


def page(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.data)


def alternates(tree) -> dict[str, str]:
    return {link.get("hreflang"): link.get("href") for link in tree.xpath("//link[@hreflang]")}


def canonical(tree) -> str:
    return tree.xpath('//link[@rel="canonical"]/@href')[0]


def test_home_lists_posts_of_its_language_newest_first(blog, make_post):
    older = make_post(language="en", title="Older", published_at=datetime(2024, 1, 1, tzinfo=UTC))
    newer = make_post(language="en", title="Newer", published_at=datetime(2025, 1, 1, tzinfo=UTC))
    make_post(language="en", sites=("blog",), title="Draft", status="draft")
    titles = page(blog.get("/en/")).xpath("//article/h2/a/text()")
    assert titles == [newer.title, older.title]


def test_future_posts_appear_only_when_due(blog, make_post):
    make_post(language="en", title="Scheduled", published_at=datetime(2999, 1, 1, tzinfo=UTC))
    assert "Scheduled" not in blog.get("/en/").text
    assert blog.get("/en/2999/01/").status_code == 200
    assert "Scheduled" not in blog.get("/en/2999/01/").text


def test_home_is_paginated(app, blog, make_post):
    app.config["POSTS_PER_PAGE"] = 2
    for _ in range(5):
        make_post(language="en")
    assert len(page(blog.get("/en/")).xpath("//article")) == 2
    assert len(page(blog.get("/en/?page=3")).xpath("//article")) == 1
    assert blog.get("/en/?page=4").status_code == 404
    assert 'rel="next" href="?page=2"' in blog.get("/en/").text


def test_post_page_shows_the_sanitized_body(blog, make_post):
    post = make_post(language="en", slug="hello", source="Hi <script>x()</script> **there**")
    response = blog.get("/en/2025/03/hello/")
    assert "<strong>there</strong>" in response.text
    assert "<script>x()" not in response.text
    assert post.title in response.text


def test_post_under_a_wrong_date_redirects_to_its_address(blog, make_post):
    make_post(language="en", slug="moved", published_at=datetime(2025, 3, 2, tzinfo=UTC))
    response = blog.get("/en/2024/11/moved/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/en/2025/03/moved/"


def test_translated_post_links_its_translations(blog, make_post):
    fr = make_post(language="fr", slug="crues", title="Les crues")
    en = make_post(language="en", slug="floods", title="Floods", translation_of=fr)
    tree = page(blog.get("/en/2025/03/floods/"))
    assert canonical(tree) == "http://blog.localhost:5000/en/2025/03/floods/"
    assert alternates(tree) == {
        "fr": "http://blog.localhost:5000/fr/2025/03/crues/",
        "en": "http://blog.localhost:5000/en/2025/03/floods/",
        "x-default": "http://blog.localhost:5000/fr/2025/03/crues/",
    }
    # Reciprocal: the French page names the same set.
    assert alternates(page(blog.get("/fr/2025/03/crues/"))) == alternates(tree)
    switcher = {
        a.get("hreflang"): a.get("href") for a in tree.xpath('//nav[@class="language-switcher"]//a')
    }
    assert switcher["fr"] == "/language/fr?next=%2Ffr%2F2025%2F03%2Fcrues%2F"
    assert switcher["it"].startswith("/language/it?next=%2Fit%2F%3Fnotice%3Duntranslated")
    assert en.title in tree.xpath("//h1/text()")


def test_untranslated_post_has_self_hreflang_and_x_default_only(blog, make_post):
    make_post(language="en", slug="alone")
    tree = page(blog.get("/en/2025/03/alone/"))
    url = "http://blog.localhost:5000/en/2025/03/alone/"
    assert canonical(tree) == url
    assert alternates(tree) == {"en": url, "x-default": url}


def test_switching_to_a_missing_translation_lands_on_that_home_with_a_notice(blog, make_post):
    make_post(language="en", slug="alone")
    tree = page(blog.get("/en/2025/03/alone/"))
    href = tree.xpath('//nav[@class="language-switcher"]//a[@hreflang="it"]/@href')[0]
    assert "(no translation)" in blog.get("/en/2025/03/alone/").text
    landing = blog.get(href, follow_redirects=True)
    assert landing.request.path == "/it/"
    assert "non ha una traduzione in italiano" in landing.text


def test_hreflang_points_across_domains(blog, book, make_post):
    fr = make_post(language="fr", sites=("book",), slug="sortie", title="La sortie")
    make_post(language="en", sites=("blog",), slug="release", translation_of=fr)
    on_blog = alternates(page(blog.get("/en/2025/03/release/")))
    on_book = alternates(page(book.get("/2025/03/sortie/")))
    assert (
        on_blog
        == on_book
        == {
            "fr": "http://book.localhost:5000/2025/03/sortie/",
            "en": "http://blog.localhost:5000/en/2025/03/release/",
            "x-default": "http://book.localhost:5000/2025/03/sortie/",
        }
    )
    # The blog's switcher sends French readers to the book site, where the text lives.
    tree = page(blog.get("/en/2025/03/release/"))
    fr_link = tree.xpath('//nav[@class="language-switcher"]//a[@hreflang="fr"]/@href')[0]
    assert fr_link == "http://book.localhost:5000/2025/03/sortie/"


def test_cross_posted_copy_is_canonical_to_its_home(blog, book, make_post):
    make_post(language="fr", sites=("book", "blog"), slug="partout")
    tree = page(blog.get("/fr/2025/03/partout/"))
    assert canonical(tree) == "http://book.localhost:5000/2025/03/partout/"
    assert alternates(tree) == {}  # hreflang only on canonical pages
    assert "Publié d'abord sur" in blog.get("/fr/2025/03/partout/").text
    assert book.get("/2025/03/partout/").status_code == 200


def test_a_post_is_not_served_on_a_site_it_is_not_published_on(blog, book, make_post):
    make_post(language="fr", sites=("book",), slug="livre-seulement")
    assert book.get("/2025/03/livre-seulement/").status_code == 200
    assert blog.get("/fr/2025/03/livre-seulement/").status_code == 404


def test_show_policy_lists_untranslated_posts_with_a_badge(blog, make_post):
    make_post(language="en", slug="only-english", title="Only English")
    fr = make_post(language="fr", slug="traduit", title="Traduit")
    make_post(language="en", slug="translated", title="Translated", translation_of=fr)
    tree = page(blog.get("/fr/"))
    titles = [t.strip() for t in tree.xpath("//article/h2/a/text()")]
    assert "Only English" in titles
    assert "Traduit" in titles
    assert "Translated" not in titles  # its French version is listed instead
    foreign = tree.xpath('//article[@lang="en"]')[0]
    assert foreign.xpath('.//span[@class="language-badge"]/text()') == ["EN"]


def test_show_policy_lists_one_version_per_group(blog, make_post):
    en = make_post(language="en", slug="group-en", title="Group EN")
    make_post(language="it", slug="group-it", title="Group IT", translation_of=en)
    titles = page(blog.get("/fr/")).xpath("//article/h2/a/text()")
    assert [t for t in titles if t.startswith("Group")] == ["Group EN"]


def test_fallback_page_carries_a_notice_its_lang_and_no_hreflang(blog, make_post):
    make_post(language="en", slug="only-english", title="Only English")
    tree = page(blog.get("/fr/2025/03/only-english/"))
    assert tree.get("lang") == "fr"
    assert tree.xpath("//article/@lang") == ["en"]
    assert "Cet article n'existe qu'en anglais." in tree.xpath('//p[@class="notice"]/text()')
    assert canonical(tree) == "http://blog.localhost:5000/en/2025/03/only-english/"
    assert alternates(tree) == {}
    switcher = tree.xpath('//nav[@class="language-switcher"]')[0]
    assert switcher.xpath('.//*[@aria-current="page"]/@lang') == ["fr"]
    assert switcher.xpath(".//a/@hreflang") == ["en", "it"]


def test_fallback_url_redirects_once_a_translation_exists(blog, make_post):
    en = make_post(language="en", slug="soon-translated")
    make_post(language="fr", slug="bientot-traduit", translation_of=en)
    response = blog.get("/fr/2025/03/soon-translated/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/fr/2025/03/bientot-traduit/"


SITES_HIDE = Path(SITES_FILE).read_text().replace('fallback = "show"', 'fallback = "hide"')


@pytest.fixture
def hiding_blog(database_url, tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text(SITES_HIDE)
    app = make_app({"DATABASE_URL": database_url, "SITES_FILE": str(sites)})
    yield SiteClient(app, app.response_class, base_url=BLOG)
    app.extensions["db"]["engine"].dispose()


def test_hide_policy_lists_and_serves_only_the_page_language(hiding_blog, make_post):
    make_post(language="en", slug="only-english", title="Only English")
    assert "Only English" not in hiding_blog.get("/fr/").text
    assert "Only English" in hiding_blog.get("/en/").text
    assert hiding_blog.get("/fr/2025/03/only-english/").status_code == 404
    assert "Only English" not in hiding_blog.get("/fr/feed.atom").text


def test_show_policy_drives_feeds_and_archives_too(blog, make_post):
    make_post(language="en", slug="only-english", title="Only English")
    assert "Only English" in blog.get("/fr/feed.atom").text
    assert "Only English" in blog.get("/fr/2025/").text
    assert "Only English" in blog.get("/fr/2025/03/").text


def test_category_and_tag_pages(blog, make_post, make_term):
    rivers = make_term("category", "rivers", fr="Rivières", en="Rivers", it="Fiumi")
    maps = make_term("tag", "maps", fr="Cartes", en="Maps", it="Mappe")
    make_post(language="en", title="In both", terms=(rivers, maps))
    make_post(language="en", title="In neither")
    cat = blog.get("/en/category/rivers/")
    assert "Category: Rivers" in cat.text and "In both" in cat.text
    assert "In neither" not in cat.text
    assert "Mot-clé : Cartes" in blog.get("/fr/tag/maps/").text
    assert "Categoria: Fiumi" in blog.get("/it/category/rivers/").text


def test_archives_by_year_and_month(blog, make_post):
    make_post(language="en", title="March", published_at=datetime(2025, 3, 5, tzinfo=UTC))
    make_post(language="en", title="December", published_at=datetime(2025, 12, 31, tzinfo=UTC))
    make_post(language="en", title="Next year", published_at=datetime(2026, 1, 1, tzinfo=UTC))
    year = blog.get("/en/2025/").text
    assert "March" in year and "December" in year and "Next year" not in year
    month = blog.get("/en/2025/12/").text
    assert "December" in month and "March" not in month
    assert "Archive: December 2025" in month
    assert "Archives : décembre 2025" in blog.get("/fr/2025/12/").text


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/fr/", "3 janv. 2019"), ("/en/", "Jan 3, 2019"), ("/it/", "3 gen 2019")],
)
def test_dates_are_localized(blog, make_post, path, expected):
    make_post(language=path.strip("/"), published_at=datetime(2019, 1, 3, 12, tzinfo=UTC))
    assert expected in blog.get(path).text


@pytest.mark.parametrize("path", ["/fr/", "/en/", "/it/", "/en/feed-missing/"])
def test_html_lang_matches_the_url(blog, path):
    tree = lxml_html.fromstring(blog.get(path).data)
    assert tree.get("lang") == path.split("/")[1]


def test_book_pages_are_french(book):
    tree = page(book.get("/"))
    assert tree.get("lang") == "fr"
    assert "Actualités du livre" in tree.xpath("//h1/text()")


def test_book_header_links_to_the_blog_root_which_remembers_the_readers_language(book, blog):
    # The book site has one language: its readers chose none there, so the link leads to the
    # blog's root, which sends each reader to the language they chose on the blog.
    links = page(book.get("/")).xpath('//nav[@class="other-sites"]//a')
    assert [a.get("href") for a in links] == ["http://blog.localhost:5000/"]
    assert links[0].get("hreflang") is None
    blog.get("/language/it?next=/it/")
    assert blog.get("/").headers["Location"] == "/it/"


def test_blog_in_english_says_the_book_site_is_in_french(blog):
    tree = page(blog.get("/en/"))
    link = tree.xpath('//nav[@class="other-sites"]//a')[0]
    assert link.get("href") == "http://book.localhost:5000/"
    assert link.get("hreflang") == "fr"
    assert "(in French)" in link.text_content()


def test_other_site_link_keeps_the_reader_on_a_cross_posted_post(book, make_post):
    make_post(language="fr", sites=("book", "blog"), slug="les-deux")
    links = page(book.get("/2025/03/les-deux/")).xpath('//nav[@class="other-sites"]//a/@href')
    assert links == ["http://blog.localhost:5000/fr/2025/03/les-deux/"]


def test_menu_lists_pages_in_order(book, make_post):
    make_post(kind="page", sites=("book",), slug="contact", title="Contact", menu_order=2)
    make_post(kind="page", sites=("book",), slug="le-livre", title="Le livre", menu_order=1)
    menu = page(book.get("/")).xpath('//nav[@class="site-nav"]//a/text()')
    # The home, the pages in order, then the book's sections.
    assert menu[:3] == ["Accueil", "Le livre", "Contact"]
    assert "Contact" in book.get("/contact/").text


def test_feeds_are_advertised_in_head_and_footer(blog):
    tree = page(blog.get("/it/"))
    heads = tree.xpath('//head/link[@rel="alternate"][@type]/@href')
    assert heads == [
        "http://blog.localhost:5000/it/feed.atom",
        "http://blog.localhost:5000/it/feed.rss",
        "http://blog.localhost:5000/it/feed.json",
    ]
    assert "Feed Atom" in tree.xpath("//footer//a/text()")


def test_term_pages_advertise_their_own_feeds_first(blog, make_post, make_term):
    rivers = make_term("category", "rivers", en="Rivers")
    make_post(language="en", terms=(rivers,))
    tree = page(blog.get("/en/category/rivers/"))
    heads = tree.xpath('//head/link[@rel="alternate"][@type]/@href')
    assert heads[:3] == [
        "http://blog.localhost:5000/en/category/rivers/feed.atom",
        "http://blog.localhost:5000/en/category/rivers/feed.rss",
        "http://blog.localhost:5000/en/category/rivers/feed.json",
    ]
    assert "http://blog.localhost:5000/en/feed.atom" in heads


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/en/", "/en/2025/03/{slug}/", "/en/category/rivers/"])
def test_query_count_does_not_grow_with_posts(
    blog, session, make_post, make_term, count_queries, path
):
    rivers = make_term("category", "rivers", en="Rivers")
    tags = [make_term("tag", f"tag-{i}", en=f"Tag {i}") for i in range(3)]

    def seed(n):
        for i in range(n):
            original = make_post(language="fr", terms=(rivers, *tags), commit=False)
            if i % 2:
                make_post(language="en", translation_of=original, terms=(rivers,), commit=False)
            else:
                make_post(language="en", terms=(rivers, tags[0]), commit=False)
        session.commit()

    def queries_for(url):
        with count_queries() as counter:
            assert blog.get(url).status_code == 200
        return counter.count

    make_post(language="en", slug="target", terms=(rivers,))
    seed(10)
    small = queries_for(path.format(slug="target"))
    seed(190)  # 200 posts in each language
    large = queries_for(path.format(slug="target"))
    assert small == large
    assert large <= 12


def test_no_template_marks_anything_safe_and_markup_is_made_in_one_module():
    root = Path(__file__).parents[1]
    for template in (root / "templates").rglob("*.html"):
        text = template.read_text().replace(" ", "")
        assert "|safe" not in text and "autoescapefalse" not in text, template
    for module in (root / "blog").rglob("*.py"):
        if module.name == "rendering.py":
            continue
        text = module.read_text()
        # Markup may be named as a type, never called: no "Markup(" and no alias for it.
        assert not re.search(r"\bMarkup\s*\(", text), module
        assert not re.search(r"import\s+Markup\s+as|Markup\s*=|mark_safe", text), module


def test_fallback_notice_points_to_the_translation_on_the_other_site(blog, make_post):
    fr = make_post(language="fr", sites=("book",), slug="parution", title="Parution")
    make_post(language="en", sites=("blog",), slug="release-day", translation_of=fr)
    tree = page(blog.get("/fr/2025/03/release-day/"))
    notice = tree.xpath('//p[@class="notice"]')[0]
    assert "sa version en français est sur La Mémoire des rivières" in notice.text_content()
    assert notice.xpath(".//a/@href") == ["http://book.localhost:5000/2025/03/parution/"]


def test_only_the_listed_fallback_version_is_served(blog, make_post):
    en = make_post(language="en", slug="group-en")
    make_post(language="it", slug="group-it", translation_of=en)
    response = blog.get("/fr/2025/03/group-it/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/fr/2025/03/group-en/"


def test_header_link_goes_to_the_translation_on_the_other_site(blog, make_post):
    fr = make_post(language="fr", sites=("book",), slug="annonce")
    make_post(language="en", sites=("blog",), slug="announcement", translation_of=fr)
    links = page(blog.get("/en/2025/03/announcement/")).xpath('//nav[@class="other-sites"]//a')
    assert [a.get("href") for a in links] == ["http://book.localhost:5000/2025/03/annonce/"]
    assert links[0].get("hreflang") == "fr"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/", "http://blog.localhost:5000/en/"),
        ("/en/?page=2", "http://blog.localhost:5000/en/?page=2"),
        ("/en/2025/", "http://blog.localhost:5000/en/2025/"),
        ("/en/category/rivers/", "http://blog.localhost:5000/en/category/rivers/"),
        ("/en/?notice=untranslated", "http://blog.localhost:5000/en/"),
    ],
)
def test_listings_name_their_canonical_url(app, blog, make_post, make_term, path, expected):
    app.config["POSTS_PER_PAGE"] = 1
    rivers = make_term("category", "rivers", en="Rivers")
    make_post(language="en", terms=(rivers,))
    make_post(language="en", terms=(rivers,))
    assert canonical(page(blog.get(path))) == expected


def test_hide_policy_applies_to_term_pages_and_rss(hiding_blog, make_post, make_term):
    rivers = make_term("category", "rivers", fr="Rivières", en="Rivers")
    make_post(language="en", title="Only English", terms=(rivers,))
    assert "Only English" not in hiding_blog.get("/fr/category/rivers/").text
    assert "Only English" in hiding_blog.get("/en/category/rivers/").text
    assert "Only English" not in hiding_blog.get("/fr/feed.rss").text
    assert "Only English" not in hiding_blog.get("/fr/2025/03/").text


def test_show_policy_applies_to_term_pages_and_rss(blog, make_post, make_term):
    rivers = make_term("category", "rivers", fr="Rivières", en="Rivers")
    make_post(language="en", title="Only English", terms=(rivers,))
    assert "Only English" in blog.get("/fr/category/rivers/").text
    assert "Only English" in blog.get("/fr/feed.rss").text


@pytest.mark.parametrize(
    ("base", "path"),
    [
        (BLOG, "/en/"),
        (BLOG, "/en/?page=2"),
        (BLOG, "/en/category/terrain/"),
        (BLOG, "/en/tag/carte/"),
        (BLOG, "/en/2025/"),
        (BLOG, "/en/2025/03/"),
        (BLOG, "/en/archive/"),
        (BLOG, "/en/category/"),
        (BLOG, "/en/no-such-page/"),
        ("http://book.localhost", "/"),
    ],
)
def test_every_page_has_a_description_and_page_two_its_own_title(app, make_post, make_term,
                                                                  base, path):  # fmt: skip
    field, maps = (
        make_term("category", "terrain", en="Fieldwork"),
        make_term("tag", "carte", en="Maps"),
    )
    for n in range(12):
        make_post(language="en", terms=(field, maps), summary="",
                  published_at=datetime(2025, 3, 1 + n, tzinfo=UTC))  # fmt: skip
    response = SiteClient(app, app.response_class, base_url=base).get(path)
    tree = lxml_html.fromstring(response.data)
    descriptions = tree.xpath('//meta[@name="description"]/@content')
    assert len(descriptions) == 1 and descriptions[0].strip(), path
    if "page=2" in path:
        assert tree.findtext(".//title") == "Research notebook — page 2"
        assert descriptions[0].endswith("— page 2")


def test_a_post_is_described_by_its_summary(blog, make_post):
    make_post(language="en", slug="described", summary="What the cellar shows.")
    tree = page(blog.get("/en/2025/03/described/"))
    assert tree.xpath('//meta[@name="description"]/@content') == ["What the cellar shows."]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Atom feed", "RSS feed", "JSON feed"]),
        ("fr", ["Flux Atom", "Flux RSS", "Flux JSON"]),
    ],
)
def test_feed_links_read_naturally(blog, language, labels):
    tree = page(blog.get(f"/{language}/"))
    assert [a.text for a in tree.xpath("//footer//a[@type]")] == labels


def test_a_category_page_offers_its_own_three_feeds_in_the_footer(blog, make_post, make_term):
    field = make_term("category", "terrain", en="Fieldwork")
    make_post(language="en", terms=(field,))
    tree = page(blog.get("/en/category/terrain/"))
    links = tree.xpath("//footer//a[@type]/@href")
    assert [link.rsplit("/", 2)[-2] for link in links] == ["terrain"] * 3
    assert "Follow “Fieldwork”:" in tree.xpath("//footer//p/text()")[0]
    assert len(tree.xpath('//head/link[@rel="alternate"][@type]')) == 6  # the site's too


def test_the_book_home_sells_the_book(book, make_post):
    make_post(language="fr", sites=("book",), title="Le livre paraît")
    tree = page(book.get("/"))
    headings = [h.tag for h in tree.xpath("//main//*[self::h1 or self::h2]")]
    assert headings[0] == "h1" and headings.count("h1") == 1
    main = tree.xpath("//main")[0].text_content()
    assert "La Mémoire des rivières" not in main.replace("Cover of", "")  # said by the header
    assert "Un livre de Claire Vautrin" not in main
    card = tree.xpath('//aside[@class="book-card"]')[0]
    assert card.xpath(".//h2/text()") == ["Acheter le livre"]
    assert "9782000000006" in card.text_content()
    assert card.xpath('.//ul[@class="shops"]//a/@href')[0].startswith("https://")
    assert tree.xpath('//p[@class="buy-jump"]/a/@href') == ["#buy-title"]
