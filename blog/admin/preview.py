"""Full-page previews in each site's own theme, and the shareable draft links that show them.

A preview goes through the readers' own render path (public/pages.py `render`, the post page's
template) with the site and language it shows; it is never cached (the desk's `no-store`, and
no desk page enters the page cache) and asks search engines not to index it (a header and a
meta tag). A draft link works signed out; what it shows is the post as last saved.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import refresh

from .. import clock, db, fields, sharing
from ..public import pages
from ..sites import Reading, registry
from ..translations import Notice
from ..urls import canonical_url
from .desk import post_or_404

bp = Blueprint("preview", __name__)


def page(post, site_key: str, language: str, notice: str):
    """Return the response that shows `post` as readers of `language` on a site would see it.

    The post may hold unsaved values (the caller rolls them back); a draft gets the present
    time as its date, as publishing would give it. The notice (a lazy string) is shown in the
    page's language, like the rest of the page.
    """
    site = registry().get(site_key)
    if site is None or not site.accepts(language):
        abort(404)
    if post.published_at is None:
        post.published_at = clock.now()
    reading = Reading(site, language)
    # The page speaks its readers' language, as the site would: so do its notices and dates.
    g.reading, g.desk_language = reading, language
    refresh()
    body = pages.render(
        reading,
        "public/post.html",
        post=post,
        versions=[post],
        canonical=canonical_url(post),
        structured=[],
        alternates=[],
        notice=Notice.ONLY_IN if language != post.language else Notice.NONE,
        elsewhere=None,
        home_site=registry()[post.home_site],
        also_on=[],
        switch=[],
        ancestors=[],
        noindex=True,
        preview_notice=notice,
    )
    response = make_response(body)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def link_url(post, token: str) -> str:
    """Return a draft link's address, on the post's home site."""
    site = registry()[post.home_site]
    return site.url + url_for("admin.preview.shared", token=token)


@bp.get("/shared/<token>")
def shared(token: str):
    """Show a post to whoever holds a working draft link, signed in or not."""
    session = db.session()
    post = sharing.find(session, token, clock.now())
    if post is None or post.home_site is None:
        abort(404)
    with session.no_autoflush:
        response = page(
            post,
            post.home_site,
            post.language,
            _l("Preview shared by the author: this text is not published yet."),
        )
    session.rollback()  # the date a draft was shown with is not kept
    return response


@bp.post("/posts/<int:post_id>/links")
def create_link(post_id: int):
    """Make a new draft link to the post, working for the number of days chosen."""
    post = post_or_404(post_id)
    days = fields.parse_int(request.form.get("days", ""))
    if days not in sharing.LIFETIMES:
        days = current_app.config["DRAFT_LINK_DAYS"]
    session = db.session()
    sharing.create(session, post, g.user, clock.now(), days)
    session.commit()
    return redirect(url_for("admin.posts.edit", post_id=post.id, _anchor="draft-links"))


@bp.post("/posts/<int:post_id>/links/<int:link_id>/revoke")
def revoke_link(post_id: int, link_id: int):
    """Revoke a draft link: it answers 404 from now on."""
    post = post_or_404(post_id)
    session = db.session()
    if not sharing.revoke(session, post, link_id, clock.now()):
        abort(404)
    session.commit()
    return redirect(url_for("admin.posts.edit", post_id=post.id, _anchor="draft-links"))
