"""Routing by host, then by language prefix."""

import pytest

from .helpers import BLOG, BOOK


def test_each_host_gets_its_own_site(blog, book):
    blog_home = blog.get("/fr/")
    book_home = book.get("/")
    assert blog_home.status_code == book_home.status_code == 200
    assert "Carnet de recherche" in blog_home.text
    assert "La Mémoire des rivières</a></p>" in book_home.text
    assert 'class="site-blog"' in blog_home.text
    assert 'class="site-book"' in book_home.text


def test_port_and_case_of_host_are_ignored(app):
    client = app.test_client()
    response = client.get("/", headers={"Host": "BOOK.localhost:5000"})
    assert response.status_code == 200
    assert 'class="site-book"' in response.text


def test_other_configured_hosts_reach_the_same_site(app):
    response = app.test_client().get("/", headers={"Host": "livre.example.org"})
    assert response.status_code == 200
    assert 'class="site-book"' in response.text


@pytest.mark.parametrize("path", ["/", "/fr/", "/feed.atom", "/language/fr?next=/fr/"])
def test_unknown_host_is_refused_without_echoing_it(app, path):
    response = app.test_client().get(path, headers={"Host": "evil.example.com"})
    assert response.status_code == 404
    assert "evil" not in response.text
    assert "Location" not in response.headers
    assert "<a " not in response.text


def test_loopback_host_lists_the_sites(app):
    response = app.test_client().get("/", headers={"Host": "localhost:5000"})
    assert response.status_code == 200
    assert 'href="http://book.localhost:5000/"' in response.text
    assert 'href="http://blog.localhost:5000/"' in response.text


def test_loopback_host_serves_nothing_else(app):
    assert app.test_client().get("/fr/", headers={"Host": "127.0.0.1"}).status_code == 404


@pytest.mark.parametrize("path", ["/fr/", "/fr/feed.atom", "/fr/feed.rss", "/fr/nope/"])
def test_absolute_urls_use_the_configured_origin_not_the_request(app, make_post, path):
    make_post(language="fr", slug="ici")
    response = app.test_client().get(path, headers={"Host": "blog.example.org:8080"})
    if response.status_code == 200:
        assert "http://blog.localhost:5000/fr/" in response.text
    assert "example.org" not in response.text


def test_blog_root_redirects_to_the_default_language(blog):
    response = blog.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/fr/"
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


def test_blog_root_follows_accept_language(blog):
    response = blog.get("/", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert response.headers["Location"] == "/it/"


def test_blog_root_matches_a_regional_accept_language(blog):
    response = blog.get("/", headers={"Accept-Language": "en-GB"})
    assert response.headers["Location"] == "/en/"


def test_blog_root_ignores_languages_the_site_lacks(blog):
    response = blog.get("/", headers={"Accept-Language": "de, es;q=0.8"})
    assert response.headers["Location"] == "/fr/"


def test_explicit_choice_beats_accept_language(blog):
    chosen = blog.get("/language/it?next=/it/")
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == "/it/"
    cookie = chosen.headers["Set-Cookie"]
    assert "lang=it" in cookie
    assert "Max-Age=31536000" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    response = blog.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/it/"


def test_a_cookie_for_a_language_the_site_lacks_is_ignored(blog):
    blog.set_cookie("lang", "de", domain="blog.localhost")
    response = blog.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/en/"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example.com/", "//evil.example.com/", "/fr/", "/en/\\evil", "/en/\r\nX: y"],
)
def test_language_switch_never_redirects_off_the_chosen_language(blog, next_url):
    response = blog.get("/language/en", query_string={"next": next_url})
    assert response.headers["Location"] == "/en/"


@pytest.mark.parametrize("path", ["/en/", "/fr/", "/it/2025/", "/en/feed.atom"])
def test_book_site_has_no_language_prefix(book, path):
    assert book.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/de/",
        "/fr/?page=abc",
        "/fr/?page=0",
        "/fr/?page=-1",
        "/fr/?page=999999",
        "/fr/?page=99999999999999999999",
        "/fr/2025/13/",
        "/fr/0000/",
        "/fr/2025/01/Odd_Slug!/",
        "/fr/2025/01/%00/",
        "/fr/category/no-such-category/",
        "/fr/tag/%C3%A9t%C3%A9/",
        "/fr/" + "a" * 2000 + "/",
        "/2025/",
        "/category/anything/",
        "/fr/9999/",
        "/fr/9999/12/",
        "/fr/?page=%C2%B9",
        "/fr/?page=%EF%BC%91",
        "/fr/?page=%D9%A1",
        "/fr/?page=01",
    ],
)
def test_bad_parameters_are_404_not_500(blog, path):
    assert blog.get(path).status_code == 404


def test_404_page_is_in_the_page_language(blog, book):
    assert "Page introuvable" in blog.get("/fr/no-such-page/").text
    assert "Page not found" in blog.get("/en/no-such-page/").text
    assert "Pagina non trovata" in blog.get("/it/no-such-page/").text
    assert "Page introuvable" in book.get("/no-such-page/").text


def test_500_page_is_localized_and_the_error_logged(app, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/en/boom/")
    def boom():
        raise RuntimeError("boom in a view")

    response = app.test_client().get("/en/boom/", base_url=BLOG)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "boom in a view" in caplog.text


def test_negotiated_pages_say_what_they_vary_on(blog):
    response = blog.get("/nope/", headers={"Accept-Language": "it"})
    assert response.status_code == 404
    assert "Pagina non trovata" in response.text
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


def test_an_overlong_path_gets_the_site_404(blog):
    response = blog.get("/fr/" + "x" * 600)
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_missing_trailing_slash_redirects_without_the_request_host(app):
    response = app.test_client().get("/fr", headers={"Host": "blog.localhost:1234"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/fr/"


def test_book_host_header_never_reaches_blog_urls(app):
    response = app.test_client().get("/", base_url=BOOK)
    assert 'href="http://blog.localhost:5000/"' in response.text
