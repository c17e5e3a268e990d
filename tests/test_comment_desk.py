"""Comments in the desk: moderation, bulk actions with CSRF, replies, blocklist, notifications."""

from __future__ import annotations

from blog.comments.models import Comment, CommentStatus

from .helpers import deliver
from .test_comments import approved, comments_of, post_address, send


def test_the_header_counts_pending_comments(desk, make_post, session):
    post = make_post(language="en")
    for text in ("one", "two"):
        session.add(Comment(post_id=post.id, name="A", source=text, html=text, language="en"))
    session.commit()
    page = desk.get("/admin/")
    assert 'class="pending-count"' in page.text and ">2</span>" in page.text
    listing = desk.get("/admin/comments/")
    assert "one" in listing.text and "two" in listing.text


def test_bulk_actions_need_the_token_and_change_the_chosen(desk, make_post, session):
    post = make_post(language="en")
    ids = []
    for text in ("one", "two", "three"):
        comment = Comment(post_id=post.id, name="A", source=text, html=text, language="en")
        session.add(comment)
        session.commit()
        ids.append(comment.id)
    refused = desk.post("/admin/comments/", data={"action": "approve", "ids": ids[:2]})
    assert refused.status_code == 400
    done = desk.send("/admin/comments/", {"action": "approve", "ids": ids[:2]})
    assert done.status_code == 302
    statuses = [c.status for c in comments_of(session, post)]
    assert statuses == [CommentStatus.APPROVED, CommentStatus.APPROVED, CommentStatus.PENDING]
    desk.send("/admin/comments/", {"one": f"spam:{ids[2]}"})
    desk.send("/admin/comments/", {"one": f"trash:{ids[0]}"})
    statuses = [c.status for c in comments_of(session, post)]
    assert statuses == [CommentStatus.TRASH, CommentStatus.APPROVED, CommentStatus.SPAM]
    desk.send("/admin/comments/", {"action": "delete", "ids": [ids[0]]})
    assert len(comments_of(session, post)) == 2
    # What is not an id ("²" passes str.isdigit, not int; thirty digits pass no database)
    # chooses nothing: the rest of the list is still done.
    for odd in ("\u00b2", "9" * 30):
        assert desk.send("/admin/comments/", {"one": f"delete:{odd}"}).status_code == 302
        answer = desk.send("/admin/comments/", {"action": "spam", "ids": [odd, ids[1]]})
        assert answer.status_code == 302
    assert [c.status for c in comments_of(session, post)] == [
        CommentStatus.SPAM,
        CommentStatus.SPAM,
    ]


def test_the_author_replies_and_edits(desk, blog, make_post, session):
    post = make_post(language="en")
    asked = Comment(post_id=post.id, name="Bea", source="Why?", html="Why?", language="en")
    session.add(asked)
    session.commit()
    desk.send(f"/admin/comments/{asked.id}", {"reply": "Because *rivers*.", "save_reply": "1"})
    desk.send(f"/admin/comments/{asked.id}", {"text": "Why so?", "save_text": "1"})
    page = blog.get(post_address(post)).text
    assert "Why so?" in page and "Because <em>rivers</em>." in page
    assert "by-author" in page
    empty = desk.send(f"/admin/comments/{asked.id}", {"text": "", "save_text": "1"})
    assert empty.status_code == 422


def test_the_blocklist_holds_what_it_names(desk, blog, clock, make_post, session):
    post = make_post(language="en")
    approved(session, post, email="ada@example.org")
    desk.send("/admin/comments/blocklist", {"patterns": "  rivers-for-sale \n\nrivers-for-sale\n"})
    assert "rivers-for-sale</textarea>" in desk.get("/admin/comments/blocklist").text
    send(blog, clock, post, email="ada@example.org", text="see RIVERS-FOR-SALE dot com")
    assert comments_of(session, post)[-1].status == CommentStatus.PENDING


def test_a_notification_goes_to_the_author_and_the_removal_link_to_the_commenter(
    smtp, author, blog, clock, make_post, session
):
    post = make_post(language="en", title="Rivers")
    send(blog, clock, post, email="ada@example.org", text="Nice rivers")
    assert smtp.messages == []  # queued with the comment; the request did not wait for SMTP
    assert deliver(blog.application).sent == 2
    to_author, to_commenter = smtp.messages
    assert "To: claire@example.org" in to_author and "Nice rivers" in to_author
    assert "/admin/comments/" in to_author
    assert "To: ada@example.org" in to_commenter and "/en/comments/remove/" in to_commenter


def test_a_failing_smtp_server_loses_no_comment_nor_its_messages(
    app, smtp, blog, clock, make_post, session, author
):
    smtp.failing = "connect"
    post = make_post(language="en")
    assert send(blog, clock, post, email="ada@example.org").status_code == 302
    assert len(comments_of(session, post)) == 1
    assert deliver(app).failed == 2 and smtp.messages == []
    smtp.failing = None
    clock.advance(seconds=app.config["MAIL_RETRY_BASE"])
    assert deliver(app).sent == 2 and len(smtp.messages) == 2
