"""Readers' comments: the form, the thread, counts, the feed, caching, privacy, refusals."""

from __future__ import annotations

import re

from blog.comments.models import Comment, CommentStatus

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
