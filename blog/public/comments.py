"""Readers' comments: the form's POST, a post's comments feed, the removal link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request
from flask_babel import gettext as _

from .. import db, mail, translations
from ..comments import feed, page, queries, service
from ..comments.models import Comment
from ..comments.spam import Action, Refusal
from ..models import DATED_KINDS, Post, User
from ..sites import Reading, Site
from ..urls import post_path, post_url, site_url
from . import now, route
from .pages import render, show_post

POST_RULE = "/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/<slug:slug>/"


def signed_form(view):
    """Mark a public form view that checks its own signed token instead of the desk's
    per-session one (csrf.py): a cached page cannot carry a per-session token."""
    view.signed_form = True
    return view


def _post(reading: Reading, year: int, month: int, slug: str, with_terms: bool = True):
    choice = translations.choose(
        db.connection(),
        reading.site,
        reading.language,
        slug,
        DATED_KINDS,
        now(),
        (year, month),
        with_terms,
    )
    if choice.post is None:
        abort(404)
    return choice.post


def same_site(site: Site) -> bool:
    """Say whether the form came from this site (browsers send Origin with every POST)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # an old browser, or a privacy setting: the signed token still stands
    return urlsplit(origin).hostname in site.hosts


@route(POST_RULE + "comments", methods=["POST"], endpoint="comment")
@signed_form
def comment(reading: Reading, year: int, month: int, slug: str):
    """Take a reader's comment: refused (the form back, text intact), held, or published."""
    site, found = reading.site, _post(reading, year, month, slug)
    form = service.CommentForm.from_form(request.form)
    if not page.accepts(site, found):
        return _refused(reading, year, month, slug, form, Refusal.CLOSED)
    if not same_site(site):
        return _refused(reading, year, month, slug, form, Refusal.ELSEWHERE)
    session = db.session()
    post = session.get(Post, found.id)
    settings = current_app.config
    stored, verdict = service.submit(
        session, post, form, address=request.remote_addr or "", now=now(), settings=settings
    )
    if verdict.action == Action.REFUSE:
        session.rollback()
        return _refused(reading, year, month, slug, form, verdict.refusal)
    session.flush()
    removal = service.removal_token(settings["SECRET_KEY"], stored.id)
    # Queued with the comment, in one transaction: the request never waits for SMTP.
    _notify(session, site, post, stored, verdict.why, removal)
    session.commit()
    target = post_path(found, site, reading.language) + "?comment=" + removal
    return redirect(target + (f"#comment-{stored.id}" if not verdict.why else "#comment-sent"))


def _refused(reading, year, month, slug, form: service.CommentForm, refusal: Refusal):
    form.errors = [str(refusal.value)]
    return show_post(reading, DATED_KINDS, slug, (year, month), comment_form=form)


def _notify(session, site: Site, post: Post, comment: Comment, why: str, removal: str) -> None:
    """Queue messages to the authors (and to the commenter, with their removal link), when
    SMTP is configured; the caller commits them with the comment."""
    if not mail.configured(current_app.config):
        return
    authors = list(session.scalars(User.__table__.select().with_only_columns(User.email)))
    desk = site_url(site, "admin.comments.index")
    state = _("It waits for your approval (%(why)s).", why=why) if why else _("It is published.")
    body = "\n\n".join(
        [
            _("%(name)s commented on “%(title)s”:", name=comment.name, title=post.title),
            comment.source,
            state,
            _("Moderate comments: %(url)s", url=desk),
        ]
    )
    mail.queue(session, authors, _("New comment on “%(title)s”", title=post.title), body)
    if comment.email:
        link = site_url(site, "public.remove_comment", post.language, token=removal)
        body = _(
            "Thank you for your comment on “%(title)s”. To remove it, open: %(url)s",
            title=post.title,
            url=link,
        )
        subject = _("Your comment on %(site)s", site=site.title_in(post.language))
        mail.queue(session, [comment.email], subject, body)


@route(POST_RULE + "comments.atom", endpoint="comments_feed")
def comments_feed(reading: Reading, year: int, month: int, slug: str):
    site, found = reading.site, _post(reading, year, month, slug, with_terms=False)
    if not site.comments:
        abort(404)
    latest = queries.latest(db.connection(), found.id, current_app.config["FEED_SIZE"])
    url = post_url(found, site, reading.language)
    feed_url = site_url(site, "public.comments_feed", reading.language, **request.view_args)
    body = feed.atom(found.title, url, feed_url, found.language, latest, found.published_at)
    return current_app.response_class(body, mimetype="application/atom+xml")


@route("/comments/remove/<token>", methods=["GET", "POST"], endpoint="remove_comment")
@signed_form
def remove_comment(reading: Reading, token: str):
    """Let a commenter remove their comment, by the link they were given (asks first)."""
    comment_id = service.removal_of(current_app.config["SECRET_KEY"], token[:40])
    session = db.session()
    found = session.get(Comment, comment_id) if comment_id is not None else None
    if request.method == "POST":
        if found is not None and same_site(reading.site):
            service.moderate(session, [found.id], "delete")
            session.commit()
        return render(reading, "public/comment_removal.html", removed=True)
    if found is None:
        return render(reading, "public/comment_removal.html", removed=True)
    return render(reading, "public/comment_removal.html", comment=found, token=token)
