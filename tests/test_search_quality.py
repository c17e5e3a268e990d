"""Search quality, measured: recall@5 and MRR of the corpus's queries (issue 17).

The corpus (tests/data/search_corpus.toml) holds 60 short posts written for the project in
French and English and 36 queries with the posts a reader expects at the top. The test runs
on the database the suite runs on (SQLite, or PostgreSQL with TEST_DATABASE_URL), so both
implementations are measured by the same queries.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

from blog import db, search
from blog.models import Post, PublicationKind, Status, Term, TermKind
from blog.sites import registry
from blog.slugs import slugify

from .helpers import DATA

MIN_RECALL_AT_5 = 0.9


def load_corpus(session) -> tuple[dict[int, str], list[dict]]:
    """Store the corpus's posts on the blog; return their keys by id and the queries."""
    corpus = tomllib.loads((DATA / "search_corpus.toml").read_text())
    terms: dict[str, Term] = {}
    posts = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n, item in enumerate(corpus["post"]):
        post = Post(
            kind="post",
            language=item["lang"],
            title=item["title"],
            slug=item["key"],
            status=Status.PUBLISHED,
            published_at=start + timedelta(days=n),
        )
        post.set_source(item["body"])
        post.publish_on("blog", PublicationKind.HOME)
        for name in item.get("tags", ()):
            slug = slugify(name)
            if slug not in terms:
                terms[slug] = Term(kind=TermKind.TAG, slug=slug)
            terms[slug].set_name(item["lang"], name)
            post.terms.append(terms[slug])
        posts.append(post)
    session.add_all(posts)
    session.commit()
    return {p.id: p.slug for p in posts}, corpus["query"]


def measure(app, session, per_query: list | None = None) -> tuple[float, float]:
    """Return (recall@5, MRR) of the corpus's queries as readers of the blog see them."""
    keys, queries = load_corpus(session)
    recall = reciprocal = 0.0
    with app.test_request_context(base_url="http://blog.localhost"):
        connection, site = db.connection(), registry()["blog"]
        now = datetime.now(UTC)
        for query in queries:
            results = search.search(connection, site, query["lang"], query["q"], now, per_page=5)
            found = [keys[hit.post.id] for hit in results.hits]
            expected = query["expect"]
            recall += len(set(found) & set(expected)) / len(expected)
            rank = next((i for i, key in enumerate(found, 1) if key in expected), None)
            reciprocal += 1 / rank if rank else 0.0
            if per_query is not None:
                per_query.append((query["q"], expected, found))
    return recall / len(queries), reciprocal / len(queries)


def test_corpus_is_big_enough():
    corpus = tomllib.loads((DATA / "search_corpus.toml").read_text())
    languages = {post["lang"] for post in corpus["post"]}
    assert len(corpus["post"]) >= 60 and languages == {"fr", "en"}
    assert len(corpus["query"]) >= 30


def test_recall_at_5_and_mrr(app, session, record_property):
    per_query: list = []
    recall, mrr = measure(app, session, per_query)
    record_property("recall_at_5", recall)
    record_property("mrr", mrr)
    missed = [(q, wanted, found) for q, wanted, found in per_query if set(wanted) - set(found)]
    print(f"\nrecall@5 = {recall:.3f}, MRR = {mrr:.3f}; missed: {missed}")
    assert recall >= MIN_RECALL_AT_5, missed
