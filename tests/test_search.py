"""Search pages: matching per language, visibility, fallbacks, highlighting, OpenSearch."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from blog import db, rendering, search
from blog.models import Post, Status, Term, TermKind
from blog.search.analysis import plain_text

from .helpers import BLOG, DATA, SITES_FILE, SiteClient, make_app


def titles(response) -> list[str]:
    """Return the titles of the results on a search page, best first (marks removed)."""
    found = re.findall(r'<li class="teaser search-result".*?<h2><a href="[^"]*">(.*?)</a>',
                       response.text, re.S)  # fmt: skip
    return [re.sub(r"</?mark>", "", t) for t in found]


@pytest.mark.parametrize(
    ("language", "text", "query"),
    [
        ("fr", "Les sociétés savantes du XIXe siècle", "société"),
        ("fr", "La société savante", "sociétés"),
        ("fr", "La société savante", "societe"),
        ("fr", "Après l’inondation de 1910", "inondation"),
        ("fr", "Les inondations de 1910", "l'inondation"),
        ("fr", "Les réseaux d’égouts", "reseau"),
        ("en", "Sewer networks of Paris", "network"),
        ("en", "The network of sewers", "networks"),
        ("en", "Mapping the old river", "mapped rivers"),
    ],
)
def test_matching_is_stemmed_and_accent_insensitive(blog, make_post, language, text, query):
    make_post(language=language, title=text)
    make_post(language=language, title="Something else entirely")
    response = blog.get(f"/{language}/search", query_string={"q": query})
    assert response.status_code == 200
    assert titles(response) == [text]


def test_a_query_must_hold_every_word(blog, make_post):
    make_post(language="en", title="Rivers and floods")
    make_post(language="en", title="Rivers in the city")
    assert titles(blog.get("/en/search?q=river+flood")) == ["Rivers and floods"]


def test_titles_weigh_more_than_text_and_every_field_is_searched(blog, make_post, make_term):
    tag = make_term(TermKind.TAG, "cellars", en="Cellars", fr="Caves")
    make_post(language="en", title="Notes", source="A long text about a *cellar* under a house.")
    make_post(language="en", title="The cellar", source="Plain text.")
    make_post(language="en", title="Summary", summary="A cellar in the summary.", source="x")
    make_post(language="en", title="Tagged", source="Nothing here.", terms=(tag,))
    found = titles(blog.get("/en/search?q=cellars"))
    assert found[0] == "The cellar"
    assert set(found) == {"The cellar", "Notes", "Summary", "Tagged"}


def test_private_posts_never_appear(blog, make_post, session, clock):
    make_post(language="en", title="Public flood")
    make_post(language="en", title="Draft flood", status=Status.DRAFT)
    make_post(language="en", title="Scheduled flood", published_at=clock() + timedelta(days=2))
    trashed = make_post(language="en", title="Trashed flood")
    trashed.deleted_at = clock()
    session.commit()
    assert titles(blog.get("/en/search?q=flood")) == ["Public flood"]
    clock.advance(days=3)
    assert sorted(titles(blog.get("/en/search?q=flood"))) == ["Public flood", "Scheduled flood"]


def test_only_the_sites_posts_are_found(blog, book, make_post):
    make_post(language="fr", title="Crue sur le carnet", sites=("blog",))
    make_post(language="fr", title="Crue sur le livre", sites=("book",))
    assert titles(book.get("/search?q=crue")) == ["Crue sur le livre"]
    assert titles(blog.get("/fr/search?q=crue")) == ["Crue sur le carnet"]


def test_an_announcement_is_found_only_while_its_original_is_visible(
    blog, book, make_post, session
):
    original = make_post(language="en", title="Underground rivers", sites=("blog",))
    announcement = Post(
        kind="announcement",
        language="fr",
        title="Les rivières souterraines",
        slug="rivieres-souterraines",
        status=Status.PUBLISHED,
        announces=original,
    )
    announcement.set_source("Un billet en anglais.")
    announcement.publish_on("book", "home")
    session.add(announcement)
    session.commit()
    assert titles(book.get("/search?q=souterraine")) == ["Les rivières souterraines"]
    original.status = Status.DRAFT
    session.commit()
    assert titles(book.get("/search?q=souterraine")) == []


def test_fallback_policy_decides_other_languages_and_the_reader_can_narrow(blog, make_post):
    make_post(language="en", title="Canal history")
    make_post(language="fr", title="Histoire du canal")
    response = blog.get("/fr/search?q=canal")
    assert sorted(titles(response)) == ["Canal history", "Histoire du canal"]
    assert '<span class="language-badge"' in response.text and 'lang="en"' in response.text
    assert titles(blog.get("/fr/search?q=canal&only=1")) == ["Histoire du canal"]


def test_a_translated_post_is_found_in_the_readers_language_only(blog, make_post):
    english = make_post(language="en", title="Canal history")
    make_post(language="fr", title="Histoire du canal", translation_of=english)
    assert titles(blog.get("/fr/search?q=canal")) == ["Histoire du canal"]
    assert titles(blog.get("/en/search?q=canal")) == ["Canal history"]


@pytest.fixture
def hiding_blog(database_url, tmp_path):
    """The blog with the `hide` fallback policy."""
    sites = tmp_path / "sites.toml"
    sites.write_text(Path(SITES_FILE).read_text().replace('fallback = "show"', 'fallback = "hide"'))
    app = make_app({"DATABASE_URL": database_url, "SITES_FILE": str(sites)})
    yield SiteClient(app, app.response_class, base_url=BLOG)
    app.extensions["db"]["engine"].dispose()


def test_hide_policy_finds_only_the_page_language(hiding_blog, make_post):
    make_post(language="en", title="Canal history")
    make_post(language="fr", title="Histoire du canal")
    response = hiding_blog.get("/fr/search?q=canal")
    assert titles(response) == ["Histoire du canal"]
    assert 'name="only"' not in response.text


def test_snippets_highlight_matched_words_and_escape_everything(blog, make_post):
    make_post(
        language="en",
        title="Floods <script>alert(1)</script>",
        summary='The flood of "1910" <b>here</b> & there',
        source="Text about the **flood** <img src=x onerror=alert(2)> and more floods.",
    )
    response = blog.get("/en/search", query_string={"q": 'flood "><em>zzqx</em>'})
    # The query's markup is words like any other: "em" and "zzqx" are in no text.
    assert titles(response) == []
    assert "&lt;em&gt;zzqx&lt;/em&gt;" in response.text and "<em>zzqx" not in response.text
    response = blog.get("/en/search", query_string={"q": "floods <script>"})
    assert response.status_code == 200
    text = response.text
    assert "<script>alert" not in text and "onerror" not in text
    marked = "<mark>Floods</mark> &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
    assert marked in text
    assert "The <mark>flood</mark> of &#34;1910&#34; &lt;b&gt;here&lt;/b&gt; &amp; there" in text
    assert 'value="floods &lt;script&gt;"' in text


def test_hostile_queries_never_fail(blog, make_post):
    make_post(language="en", title="River")
    for query in ['"', "*", "NEAR(", "river OR", "-river", "title:river", "\x00river", "a" * 5000,
                  "river" + " river" * 100, "🌊 river", "^", "{title}: x", "AND"]:  # fmt: skip
        response = blog.get("/en/search", query_string={"q": query})
        assert response.status_code == 200, query


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type one or more words"),
        ("   ", "Type one or more words"),
        ("a", "too short"),
        ("the of", "too common"),
        ("zzzzqx", "No post or page contains"),
    ],
)
def test_empty_short_and_fruitless_queries_get_a_helpful_message(blog, make_post, query, message):
    make_post(language="en", title="River")
    response = blog.get("/en/search", query_string={"q": query})
    assert response.status_code == 200
    assert message in response.text


def test_messages_are_in_the_readers_language(blog):
    assert "Tapez un ou plusieurs mots" in blog.get("/fr/search").text


def test_results_are_paginated(app, blog, make_post):
    app.config["POSTS_PER_PAGE"] = 2
    for n in range(5):
        make_post(language="en", title=f"River {n}")
    first = blog.get("/en/search?q=river")
    assert len(titles(first)) == 2 and "5 results" in first.text
    assert 'href="/en/search?q=river&amp;page=2"' in first.text
    third = blog.get("/en/search?q=river&page=3")
    assert len(titles(third)) == 1
    seen = titles(first) + titles(blog.get("/en/search?q=river&page=2")) + titles(third)
    assert sorted(seen) == [f"River {n}" for n in range(5)]
    assert blog.get("/en/search?q=river&page=x").status_code == 200


def test_search_pages_are_noindex_and_never_cached(blog, make_post):
    make_post(language="en", title="River")
    response = blog.get("/en/search?q=river")
    assert '<meta name="robots" content="noindex">' in response.text
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "ETag" not in response.headers
    make_post(language="en", title="Another river")
    assert len(titles(blog.get("/en/search?q=river"))) == 2
    sitemap = blog.get("/sitemap-1.xml").text
    assert "search" not in sitemap


def test_every_public_page_has_a_search_box_and_opensearch(blog, book, make_post):
    post = make_post(language="en", title="River")
    for client, path, action in [
        (blog, "/en/", "/en/search"),
        (blog, f"/en/2025/03/{post.slug}/", "/en/search"),
        (blog, "/fr/", "/fr/search"),
        (book, "/", "/search"),
        (blog, "/en/nothing-here/", "/en/search"),
    ]:
        text = client.get(path).text
        assert f'<form class="search-box" role="search" action="{action}" method="get">' in text
        assert '<label for="search-q">' in text
        opensearch = action.replace("search", "opensearch.xml")
        assert 'type="application/opensearchdescription+xml" href="http://' in text
        assert opensearch in text


def test_opensearch_description_per_site_and_language(blog, book):
    response = blog.get("/en/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    assert "http://blog.localhost:5000/en/search?q={searchTerms}" in response.text
    assert "<Language>en</Language>" in response.text
    assert "<ShortName>Research noteboo</ShortName>" in response.text
    french = book.get("/opensearch.xml").text
    assert "http://book.localhost:5000/search?q={searchTerms}" in french
    assert "Rechercher" in french


def test_index_follows_edits_terms_and_deletion(app, blog, make_post, make_term, session):
    tag = make_term(TermKind.TAG, "wells", en="Wells")
    post = make_post(language="en", title="Before", source="Nothing.")
    post.title = "After the change"
    session.commit()
    assert titles(blog.get("/en/search?q=change")) == ["After the change"]
    assert titles(blog.get("/en/search?q=before")) == []
    post.terms = [tag]
    session.commit()
    assert titles(blog.get("/en/search?q=wells")) == ["After the change"]
    tag = session.get(Term, tag.id)
    tag.set_name("en", "Springs")
    session.commit()
    assert titles(blog.get("/en/search?q=springs")) == ["After the change"]
    session.delete(session.get(Term, tag.id))
    session.commit()
    assert titles(blog.get("/en/search?q=springs")) == []
    session.delete(post)
    session.commit()
    other = make_post(language="en", title="Another")
    session.execute(delete(Post).where(Post.id == other.id))
    session.commit()
    with app.app_context():
        connection = db.connection()
        assert search.reindex(connection, []) == 0
        assert search.rebuild(connection) == 0


def test_reindex_command_rebuilds_the_index(app, blog, make_post, cli):
    make_post(language="en", title="River")
    with app.app_context(), db.engine().begin() as connection:
        search.clear(connection)
    assert titles(blog.get("/en/search?q=river")) == []
    assert "1 posts" in cli("reindex").output
    assert titles(blog.get("/en/search?q=river")) == ["River"]


def test_stored_index_matches_the_posts(app, make_post):
    make_post(language="fr", title="Les crues")
    with app.app_context():
        connection = db.connection()
        assert connection.execute(select(Post.id)).scalars().all()
        assert search.rebuild(connection) == 1


def test_a_page_is_found_without_a_date(blog, make_post):
    make_post(language="en", kind="page", title="About the rivers", slug="about-rivers")
    response = blog.get("/en/search?q=rivers")
    assert titles(response) == ["About the rivers"]
    assert 'href="/en/about-rivers/"' in response.text


def test_dates_come_with_results(blog, make_post):
    make_post(language="en", title="River", published_at=datetime(2024, 5, 3, tzinfo=UTC))
    assert "May 3, 2024" in blog.get("/en/search?q=river").text


# Speed that does not depend on the machine: what a search costs in statements, which
# matches it ranks, and the plain text its snippets are cut from.


def _store_of_rivers(make_post, session, count: int, term) -> None:
    """Store `count` posts about rivers (with a translation or a fallback among them)."""
    for n in range(count):
        post = make_post(
            language="en", title=f"River {n}", source="The river.", terms=(term,), commit=False
        )
        if n % 3 == 0:
            session.flush()
            make_post(
                language="fr",
                title=f"Rivière {n}",
                source="La rivière.",
                terms=(term,),
                translation_of=post,
                commit=False,
            )
        if n % 4 == 0:
            make_post(language="it", title=f"Fiume {n}", source="Il river.", commit=False)
    session.commit()


def test_a_search_page_runs_as_many_statements_whatever_the_number_of_matches(
    app, blog, make_post, make_term, session, count_queries
):
    app.config["POSTS_PER_PAGE"] = 3
    tag = make_term(TermKind.TAG, "rivers", en="Rivers", fr="Rivières")
    _store_of_rivers(make_post, session, 3, tag)
    blog.get("/en/search?q=river")  # the first request builds what every other reuses
    with count_queries() as few:
        assert len(titles(blog.get("/en/search?q=river"))) == 3
    _store_of_rivers(make_post, session, 30, tag)
    blog.get("/en/")  # the first request after a write reads the sites' texts and menus again
    with count_queries() as many:
        first = blog.get("/en/search?q=river")
    with count_queries() as later:
        assert len(titles(blog.get("/en/search?q=river&page=4"))) == 3
    assert "results for" in first.text and len(titles(first)) == 3
    assert few.count == many.count == later.count


def test_a_broad_query_ranks_the_best_matches_and_says_there_are_more(app, blog, make_post):
    for n in range(6):
        make_post(language="en", title=f"River {n}", source="The river, the river.")
    make_post(language="en", title="The river river", status=Status.DRAFT)
    app.config["SEARCH_MATCHES"] = 3
    capped = blog.get("/en/search?q=river")
    # The best matches are ranked, one more to know whether there are more: the draft is
    # among them, three are shown, and the index holds more.
    assert "More than 3 results for “river”, the most relevant first" in capped.text
    assert len(titles(capped)) == 3 and 'rel="next"' not in capped.text
    french = blog.get("/fr/search?q=river").text
    assert "Plus de 3 résultats pour « river », les plus pertinents d’abord" in french
    app.config["SEARCH_MATCHES"] = 7
    exact = blog.get("/en/search?q=river")
    assert "6 results for “river”" in exact.text and "More than" not in exact.text


def _ranked(app, language: str, query: str, matches: int, only: bool = False) -> list[int]:
    """Return the ids of every result of a query, page after page (three to a page)."""
    found, page = [], 1
    with app.test_request_context(base_url="http://blog.localhost"):
        connection, site = db.connection(), app.extensions["sites"]["blog"]
        now = datetime.now(UTC)
        while True:
            results = search.search(
                connection, site, language, query, now, only=only, page=page, per_page=3,
                matches=matches,
            )  # fmt: skip
            found += [hit.post.id for hit in results.hits]
            if page >= results.pages:
                return found
            page += 1


def _best_matches(app, language: str, query: str, matches: int) -> set[int]:
    """Return the ids of the index's best matches of a query, visible or not, and one more
    (what search ranks, to know whether there are more)."""
    with app.test_request_context(base_url="http://blog.localhost"):
        connection, site = db.connection(), app.extensions["sites"]["blog"]
        read = search.read_query(query, search.languages_searched(site, language, False))
        implementation = search.backend(connection)
        best = implementation.candidates(list(read.stems)).limit(matches + 1)
        params = implementation.parameters(read.text, read.stems)
        return set(connection.execute(best, params).scalars())


@pytest.mark.parametrize(("language", "query"), [("en", "river"), ("fr", "rivière")])
def test_results_are_the_visible_best_matches_in_the_order_of_ranking_them_all(
    app, make_post, make_term, session, language, query
):
    tag = make_term(TermKind.TAG, "rivers", en="Rivers", fr="Rivières")
    _store_of_rivers(make_post, session, 12, tag)
    make_post(language="en", title="River river river", status=Status.DRAFT)
    make_post(language="fr", title="Rivière et river du livre", sites=("book",))
    everything = _ranked(app, language, query, matches=10_000)
    assert len(everything) >= 4
    for matches in (2, len(everything) // 2, len(everything) - 1):
        best = _best_matches(app, language, query, matches)
        assert _ranked(app, language, query, matches) == [i for i in everything if i in best]


class _ReferenceText(HTMLParser):
    """The text of HTML as html.parser reads it: what analysis.plain_text must return."""

    BLOCKS = frozenset(("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
                        "blockquote", "br", "td"))  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag in ("script", "style") or "heading-anchor" in classes.split():
            self.skipping.append(tag)
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _reference_text(html: str) -> str:
    parser = _ReferenceText()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


@pytest.mark.parametrize(
    "html",
    [
        "<p>One</p><p>two</p>",
        "<p>a<br>b<br/>c<BR />d</p>",
        '<h2 id="x">What the cellar shows<a class="heading-anchor" href="#x" '
        'title="Link">#</a></h2><p>Then</p>',
        "<p>Fish &amp; chips, l&#8217;eau, &lt;tag&gt; &eacute;t&eacute;</p>",
        '<p><img alt="a > b" src="x.png"> after <a href=\'y\' title="q\'s">link</a></p>',
        "<ul><li>one</li><li>two</li></ul><table><tr><td>c1</td><td>c2</td></tr></table>",
        "<p>in<em>line</em>words and <code>co</code>de</p><!-- a comment --><pre>x  y</pre>",
        '<div class="x heading-anchor y">hidden</div>shown<script>var a = 1;</script>end',
        "no tags at all",
        "",
    ],
)
def test_plain_text_reads_stored_html_as_an_html_parser_does(html):
    assert plain_text(html) == _reference_text(html)


HEADINGS_AND_CODE = """## What the cellar shows

Text with *emphasis*, a [link](https://example.org "a > b") and `code`.

| A | B |
|---|---|
| 1 | 2 |

```
x < y && y > z
```
"""


def test_plain_text_of_rendered_posts_is_as_an_html_parser_reads_it():
    corpus = tomllib.loads((DATA / "search_corpus.toml").read_text())
    texts = [(item["body"], item["lang"]) for item in corpus["post"]]
    for source, language in [*texts, (HEADINGS_AND_CODE, "en")]:
        html = rendering.render(source, language).html
        assert plain_text(html) == _reference_text(html), source


def test_a_snippet_starts_at_a_whole_word():
    text = "Words before. " * 6 + "At the water's edge the city archives were kept."
    pieces = search.snippet(text, {"archiv"}, "en", size=8)
    assert "".join(p.text for p in pieces).startswith("… water's edge the city")
