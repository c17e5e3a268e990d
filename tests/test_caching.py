"""Conditional requests: ETag and Last-Modified on pages, feeds and sitemaps; 304 when unchanged."""

from datetime import timedelta

import pytest

PATHS = ["/fr/", "/fr/feed.atom", "/fr/feed.json", "/sitemap.xml", "/sitemap-1.xml", "/robots.txt",
         "/fr/2025/"]  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
def test_public_responses_carry_validators_and_answer_304(blog, make_post, path):
    make_post(language="fr")
    first = blog.get(path)
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    again = blog.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    since = blog.get(path, headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304


def test_a_304_costs_one_small_statement(blog, make_post, count_queries):
    for _ in range(30):
        make_post(language="fr")
    etag = blog.get("/fr/feed.atom").headers["ETag"]
    with count_queries() as counter:
        assert blog.get("/fr/feed.atom", headers={"If-None-Match": etag}).status_code == 304
    assert counter.count == 1


def test_any_write_changes_the_validators(blog, make_post, session):
    post = make_post(language="fr", title="Avant")
    etag = blog.get("/fr/").headers["ETag"]
    post.title = "Après"
    session.commit()
    response = blog.get("/fr/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Après" in response.text
    assert response.headers["ETag"] != etag


def test_a_scheduled_post_coming_due_changes_the_validators(blog, make_post, clock):
    make_post(language="fr", title="Bientôt", published_at=clock() + timedelta(minutes=5))
    before = blog.get("/fr/")
    assert "Bientôt" not in before.text
    clock.advance(minutes=6)  # nothing is written: only the clock moves past the publication time
    after = blog.get("/fr/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Bientôt" in after.text


def test_validators_differ_per_language_and_address(blog):
    etags = {blog.get(path).headers["ETag"] for path in ("/fr/", "/en/", "/fr/feed.atom")}
    assert len(etags) == 3


def test_the_desk_is_never_cached(desk):
    response = desk.get("/admin/")
    assert "ETag" not in response.headers and response.headers["Cache-Control"] == "no-store"
