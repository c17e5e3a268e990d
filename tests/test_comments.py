"""Readers' comments: the form, the thread, counts, the feed, caching, privacy, refusals."""

from __future__ import annotations

import re

import pytest

from blog.comments.models import Comment, CommentStatus
from blog.comments.service import form_token

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def post_address(post) -> str:
    return f"/{post.language}/{post.published_at:%Y/%m}/{post.slug}/"


def send(client, clock, post, *, wait: float = 30, **fields):
    """Load the post page, wait like a reader, then send the form."""
    page = client.get(post_address(post))
    token = TOKEN.search(page.text).group(1)
    clock.advance(seconds=wait)
    data = {"name": "Ada", "text": "A thoughtful remark.", "token": token, **fields}
    return client.post(post_address(post) + "comments", data=data)


def comments_of(session, post) -> list[Comment]:
    session.expire_all()
    return list(session.query(Comment).filter_by(post_id=post.id).order_by(Comment.id))


def test_a_first_comment_waits_then_appears_once_approved(app, blog, clock, make_post, session):
    post = make_post(language="en")
    response = send(blog, clock, post, email="ada@example.org")
    assert response.status_code == 302
    [stored] = comments_of(session, post)
    assert stored.status == CommentStatus.PENDING
    notice = blog.get(response.headers["Location"])
    assert "will appear once the author approves it" in notice.text
    page = blog.get(post_address(post))
    assert "A thoughtful remark." not in page.text
    stored.status = CommentStatus.APPROVED
    session.commit()
    page = blog.get(post_address(post))
    assert "A thoughtful remark." in page.text
    assert "ada@example.org" not in page.text


def approved(session, post, name="Bea", text="Already here.", **fields) -> Comment:
    comment = Comment(
        post_id=post.id,
        name=name,
        source=text,
        html=f"<p>{text}</p>",
        language=post.language,
        status=CommentStatus.APPROVED,
        **fields,
    )
    session.add(comment)
    session.commit()
    return comment


def test_a_known_commenter_is_published_at_once_and_the_cached_page_follows(
    blog, clock, make_post, session
):
    post = make_post(language="en")
    approved(session, post, email="ada@example.org")
    first = blog.get(post_address(post))
    assert blog.get(post_address(post)).headers["ETag"] == first.headers["ETag"]
    response = send(blog, clock, post, email="ADA@example.org", text="Second *thought*.")
    assert response.status_code == 302
    assert "#comment-" in response.headers["Location"]
    page = blog.get(post_address(post))
    assert "Second <em>thought</em>." in page.text
    assert page.headers["ETag"] != first.headers["ETag"]
    assert "2 comments" in page.text


def test_a_held_comment_leaves_cached_pages_as_they_were(blog, clock, make_post, session):
    post = make_post(language="en")
    before = blog.get(post_address(post)).headers["ETag"]
    assert send(blog, clock, post).status_code == 302
    assert blog.get(post_address(post)).headers["ETag"] == before
    assert blog.get("/en/").headers["ETag"]


def test_replies_nest_one_level_and_the_authors_are_marked(blog, make_post, session):
    post = make_post(language="en")
    top = approved(session, post, name="Bea", text="Question?")
    approved(session, post, name="Claire", text="Answer.", parent_id=top.id, by_author=True)
    page = blog.get(post_address(post)).text
    assert re.search(r'id="comment-\d+" class="comment by-author"', page)
    assert page.index("Question?") < page.index('class="replies"') < page.index("Answer.")
    assert "Author</span>" in page


def test_refused_forms_come_back_with_the_text_and_the_reason(blog, clock, make_post):
    post = make_post(language="fr")
    too_soon = send(blog, clock, post, wait=0.5, text="Mon texte précieux")
    assert too_soon.status_code == 422
    assert "Mon texte précieux</textarea>" in too_soon.text
    assert 'role="alert"' in too_soon.text
    forged = blog.post(
        post_address(post) + "comments", data={"name": "A", "text": "t", "token": "1.x"}
    )
    assert forged.status_code == 422
    trapped = send(blog, clock, post, homepage="http://spam.example")
    assert trapped.status_code == 422
    linked = send(blog, clock, post, text=" ".join(f"http://x{i}.example" for i in range(9)))
    assert linked.status_code == 422
    assert "http://x8.example</textarea>" in linked.text


def test_the_rate_limit_counts_per_address(app, blog, clock, make_post, session):
    app.config["COMMENTS_RATE_LIMIT"] = 2
    post = make_post(language="en")
    assert send(blog, clock, post, text="one").status_code == 302
    assert send(blog, clock, post, text="two").status_code == 302
    third = send(blog, clock, post, text="three")
    assert third.status_code == 422
    assert "three</textarea>" in third.text
    clock.advance(seconds=app.config["COMMENTS_RATE_WINDOW"])
    assert send(blog, clock, post, text="four").status_code == 302


def test_address_hashes_expire(app, blog, clock, make_post, session):
    post = make_post(language="en")
    send(blog, clock, post)
    [first] = comments_of(session, post)
    assert first.address_hash and "127.0.0.1" not in first.address_hash
    clock.advance(days=app.config["COMMENTS_ADDRESS_DAYS"] + 1)
    send(blog, clock, post, text="later")
    first, second = comments_of(session, post)
    assert first.address_hash is None and second.address_hash


def test_comments_are_off_on_the_book_site_and_per_post(book, blog, clock, make_post):
    on_book = make_post(language="fr", sites=("book",))
    page = book.get(f"/{on_book.published_at:%Y/%m}/{on_book.slug}/")
    assert page.status_code == 200 and 'id="comment-form"' not in page.text
    closed = make_post(language="en", comments_open=False)
    page = blog.get(post_address(closed))
    assert "Comments are closed." in page.text
    token = form_token(blog.application.config["SECRET_KEY"], closed.id, clock())
    clock.advance(seconds=30)
    refused = blog.post(
        post_address(closed) + "comments", data={"name": "A", "text": "t", "token": token}
    )
    assert refused.status_code == 422


def test_a_post_from_another_origin_is_refused(blog, clock, make_post):
    post = make_post(language="en")
    page = blog.get(post_address(post))
    token = TOKEN.search(page.text).group(1)
    clock.advance(seconds=30)
    response = blog.post(
        post_address(post) + "comments",
        data={"name": "A", "text": "cross site", "token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 422
    assert "cross site</textarea>" in response.text


def test_comment_markdown_is_restricted_and_links_say_nofollow_ugc(blog, clock, make_post, session):
    post = make_post(language="en")
    approved(session, post, email="ada@example.org")
    text = (
        "**bold** [site](https://a.example) <script>alert(1)</script> `code`\n\n> quoted\n\n# big"
    )
    send(blog, clock, post, email="ada@example.org", text=text)
    page = blog.get(post_address(post)).text
    assert '<a href="https://a.example" rel="nofollow ugc">site</a>' in page
    assert "<strong>bold</strong>" in page and "<code>code</code>" in page
    assert "<blockquote>" in page and "<script>alert" not in page and "<h1>big" not in page


def test_counts_in_listings_take_one_statement(blog, make_post, session, count_queries):
    posts = [make_post(language="en") for _ in range(3)]
    approved(session, posts[0])
    approved(session, posts[0])
    approved(session, posts[2])
    page = blog.get("/en/").text
    assert "2 comments" in page and "1 comment<" in page
    with count_queries() as one:
        blog.get("/en/?page=1&x=1")
    for post in posts[:2]:
        approved(session, post)
    # The first request after a write reads the site texts edited in the desk once more.
    blog.get("/en/?page=1&x=2")
    with count_queries() as more:
        blog.get("/en/?page=1&x=1")
    assert more.count == one.count


def test_the_comments_feed(blog, make_post, make_term, session, count_queries):
    floods = make_term("category", "floods", en="Floods")
    post = make_post(language="en", terms=(floods,))
    approved(session, post, name="Bea", text="In the feed")
    with count_queries() as counter:
        feed = blog.get(post_address(post) + "comments.atom")
    # It shows no category: its post's terms are not read (16,000 feeds in a static export).
    assert not [s for s in counter.statements if "post_term" in s], counter.statements
    assert feed.status_code == 200
    assert feed.mimetype == "application/atom+xml"
    assert "In the feed" in feed.text and "Bea" in feed.text
    assert f"{post_address(post)}#comment-" in feed.text
    assert "comments.atom" in blog.get(post_address(post)).text


def test_the_removal_link_removes(blog, clock, make_post, session):
    post = make_post(language="en")
    response = send(blog, clock, post, text="Regrets")
    notice = blog.get(response.headers["Location"])
    link = re.search(r'href="(/en/comments/remove/[^"]+)"', notice.text).group(1)
    confirm = blog.get(link)
    assert "Regrets" in confirm.text
    done = blog.post(link)
    assert done.status_code == 200
    assert comments_of(session, post) == []


def test_a_refusal_speaks_the_pages_language(blog, clock, make_post):
    post = make_post(language="fr")
    refused = send(blog, clock, post, wait=0.5, text="Vite fait")
    assert "C'était rapide" in refused.text or "C&#39;était rapide" in refused.text
    assert "Vite fait</textarea>" in refused.text


def test_held_comments_stay_out_of_the_feed_and_the_counts(blog, clock, make_post, session):
    post = make_post(language="en")
    send(blog, clock, post, text="Not yet public")
    assert "Not yet public" not in blog.get(post_address(post) + "comments.atom").text
    assert "1 comment" not in blog.get("/en/").text


def test_hostile_fields_are_refused_or_escaped(blog, clock, make_post, session):
    post = make_post(language="en")
    approved(session, post, email="ada@example.org")
    bad_site = send(blog, clock, post, website="javascript:alert(1)", email="ada@example.org")
    assert bad_site.status_code == 422 and "http:// or https://" in bad_site.text
    send(blog, clock, post, name="<script>alert(1)</script>", email="ada@example.org")
    page = blog.get(post_address(post)).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "A", "text": "t", "token": "9" * 40},
        {"name": "A", "text": "t", "token": "x.y.z", "parent": "9" * 30},
        # Digits str.isdigit takes and int() refuses.
        {"name": "A", "text": "t", "token": "\u00b2.y", "parent": "\u00b2"},
        {"name": "A" * 5000, "text": "t" * 100_000, "token": ""},
        {"name": "A", "text": "\x00\x01", "email": "@", "website": "http://"},
    ],
)
def test_no_input_gives_a_server_error(blog, make_post, data):
    post = make_post(language="en")
    response = blog.post(post_address(post) + "comments", data=data)
    assert response.status_code == 422
    assert blog.post("/en/2025/03/nothing-here/comments", data=data).status_code == 404
    assert blog.get("/en/comments/remove/" + "1" * 50).status_code == 200
    for reply in ("\u00b2", "9" * 30):
        assert blog.get(post_address(post), query_string={"reply": reply}).status_code == 200


def test_a_reply_hangs_under_its_thread_one_level_deep(blog, clock, make_post, session):
    post = make_post(language="en")
    top = approved(session, post, email="ada@example.org")
    reply = approved(session, post, name="Bo", text="First reply", parent_id=top.id)
    page = blog.get(post_address(post) + f"?reply={reply.id}")
    assert 'name="parent"' not in page.text  # only a top comment takes replies
    send(blog, clock, post, email="ada@example.org", parent=str(reply.id), text="Deep")
    assert comments_of(session, post)[-1].parent_id == top.id  # its thread, one level deep
    page = blog.get(post_address(post) + f"?reply={top.id}")
    assert f'name="parent" value="{top.id}"' in page.text
