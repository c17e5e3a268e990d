"""The post editor's page: the form, and everything the desk shows beside it.

The translation group and the reference text to translate from, the library's newest files,
the previews on each site, the draft links, the word count and the mailing box; the views of
posts.py answer with it, whether the form is new, saved, refused or asks for a confirmation.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from sqlalchemy import select

from .. import clock, db, fields, mail, sharing
from ..mediastore import library, markdown_for
from ..models import Kind, Post, Term, TermKind, utcnow
from ..sites import registry
from ..subscriptions import service as subscriptions
from ..subscriptions.models import MailingStatus
from . import preview as full_page
from . import translating
from .desk import local, query_id
from .forms import TIME_FORMAT, PostForm
from .publishing import readings

# The editor's "insert" panel and featured image list offer the newest files of the library.
LIBRARY_IN_EDITOR = 200


def categories() -> list[Term]:
    return list(db.session().scalars(select(Term).where(Term.kind == TermKind.CATEGORY)))


def translation_group(post: Post | None) -> dict[str, Post]:
    """Return the post's translation group (itself included, trash excluded) by language."""
    if post is None or post.id is None:
        return {}
    found = db.session().scalars(
        select(Post).where(Post.translation_key == post.translation_key, Post.deleted_at.is_(None))
    )
    return {p.language: p for p in found}


def editor(post: Post | None, form: PostForm, status: int = 200, **context):
    sites, session = registry(), db.session()
    reference = context.pop("reference", None) or translated_from(form)
    if reference is None:
        reference_id = query_id("reference")
        reference = session.get(Post, reference_id) if reference_id is not None else None
    if reference is None and post is not None and post.is_outdated:
        reference = post.translated_from
    group = translation_group(post)
    v = form.values
    translated = {language for language, p in group.items() if post is None or p.id != post.id}
    return render_template(
        "admin/editor.html",
        post=post,
        form=form,
        group=group,
        reference=reference,
        sites=list(sites),
        languages=sites.languages,
        categories=categories(),
        since=translating.changes_since(post),
        library_files=list(db.session().scalars(library().limit(LIBRARY_IN_EDITOR))),
        markdown_for=markdown_for,
        previews=readings([v["home_site"], *v["sites"]], v["language"], translated),
        draft_links=sharing.active(session, post, clock.now()) if post else [],
        link_url=full_page.link_url,
        lifetimes=sharing.LIFETIMES,
        counts=text_counts(v["source"]),
        now_field=local(utcnow()).strftime(TIME_FORMAT),
        mailing_box=_mailing_box(post, v["kind"]),
        **context,
    ), status


def _mailing_box(post: Post | None, kind: str) -> dict | None:
    """Return what the editor's « Mail to subscribers » box shows, or None when it has none
    (a page, or no SMTP server): ticked for a post not yet public, as the author left it,
    or the mailing already sent."""
    if kind != Kind.POST or not mail.configured(current_app.config):
        return None
    found = subscriptions.mailing_of(db.session(), post.id if post else None)
    if found is not None and found.status == MailingStatus.SENT:
        return {"sent": found}
    if request.method == "POST" and "mail_choice" in request.form:
        checked = request.form.get("mail_subscribers") == "1"
    elif found is not None:
        checked = found.status == MailingStatus.PLANNED
    else:
        checked = post is None or not post.is_visible()
    return {"checked": checked}


def translated_from(form: PostForm) -> Post | None:
    """Return the post a new translation is made from (the form's translation_of), if any."""
    post_id = fields.parse_int(form.values.get("translation_of") or "")
    post = db.session().get(Post, post_id) if post_id is not None else None
    return post if post is not None and post.deleted_at is None else None


# Words a minute an adult reads silently, the usual figure for "reading time".
READING_SPEED = 230


def text_counts(source: str) -> dict[str, int]:
    """Return the words of a Markdown text and the minutes it takes to read (at least one)."""
    words = len(source.split())
    return {"words": words, "minutes": max(1, round(words / READING_SPEED))}
