"""What every desk page shares: the signed-in author, the desk's language, helpers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import format_date, format_time, refresh
from flask_babel import gettext as _

from .. import accounts, clock, db, fields, permissions, sitesettings
from ..comments.service import pending_count
from ..mediastore import thumbnail
from ..models import MediaKind, Post, Status
from ..sites import registry
from ..urls import canonical_url, post_url

SESSION_KEY = "desk"
# When the signed-in browser was last seen, and when its session ends (POSIX seconds).
SEEN_KEY, ENDS_KEY = "seen", "ends"
# How stale the "seen" time may get before a desk page writes it again (and resends the cookie).
SEEN_PRECISION = 60
# Pages for people who are not signed in: the sign-in and its second step, what a draft link
# shows, and what a one-time link opens to set a password.
PUBLIC_ENDPOINTS = frozenset(
    {
        "admin.auth.login",
        "admin.preview.shared",
        "admin.twofactor.login_code",
        "admin.people.set_password",
    }
)


def session_limits() -> tuple[timedelta, timedelta]:
    """Return the absolute lifetime and the idle timeout of desk sessions."""
    config = current_app.config
    return (
        timedelta(seconds=config["SESSION_LIFETIME"]),
        timedelta(seconds=config["SESSION_IDLE_TIMEOUT"]),
    )


def sign_in(user) -> None:
    """Open a desk session for `user` in this browser, ending whatever session it had."""
    now = clock.now()
    lifetime, _idle = session_limits()
    session.clear()
    session[SESSION_KEY] = accounts.open_session(db.session(), user, now, lifetime)
    session[SEEN_KEY] = now.timestamp()
    session[ENDS_KEY] = (now + lifetime).timestamp()
    session.permanent = True


def load_author():
    """Find the signed-in author, speak their language, and send strangers to the login."""
    now = clock.now()
    lifetime, idle = session_limits()
    token = session.get(SESSION_KEY)
    g.user = accounts.session_user(db.session(), token, session.get(SEEN_KEY), now, lifetime, idle)
    if g.user is None and token:
        for key in (SESSION_KEY, SEEN_KEY, ENDS_KEY):
            session.pop(key, None)
    elif g.user is not None and now.timestamp() - session.get(SEEN_KEY, 0) > SEEN_PRECISION:
        session[SEEN_KEY] = now.timestamp()
    languages = current_app.extensions["desk_languages"]
    if g.user is not None and g.user.language in languages:
        g.desk_language = g.user.language
    else:
        g.desk_language = request.accept_languages.best_match(languages) or languages[0]
    refresh()
    # The desk shows the sites' texts as edited by an administrator, in every worker.
    sitesettings.refresh(db.session())
    if g.user is not None and not permissions.may_enter(g.user, request.blueprint):
        return refuse(_("Your role does not give access to this part of the desk."))
    if g.user is not None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if request.method != "GET" and getattr(view, "keeps_text", False):
        return None  # the view re-renders the author's text with a "signed out" message
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("admin.auth.login", next=target))


def refuse(message: str):
    """Answer 403 with a page that says, in the desk's language, what the role does not allow."""
    return render_template("admin/refused.html", message=message), 403


def post_or_404(post_id: int, trashed: bool = False) -> Post:
    """Return the post with this id, in the trash or out of it as asked, or answer 404."""
    post = db.session().get(Post, post_id)
    if post is None or (post.deleted_at is not None) != trashed:
        abort(404)
    return post


def query_id(name: str) -> int | None:
    """Return the id a query parameter names (None when absent); anything but an id is a 404."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    found = fields.parse_int(raw)
    if found is None:
        abort(404)
    return found


def row_button() -> tuple[str, int | None]:
    """Return what a table row's own button asks ("one" = "action:id"): the action and the
    row's id, None when the part after the colon is not an id (fields.parse_int's rule)."""
    action, _sep, raw = request.form.get("one", "").partition(":")
    return action, fields.parse_int(raw)


def keeps_text(view):
    """Mark a form view that must never lose what was typed: when the author was signed out
    (or the CSRF token went stale) it re-renders the form, text intact, with a message."""
    view.keeps_text = True
    return view


def no_store(response):
    # Desk pages hold drafts: keep them out of shared caches and the back-forward cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local(moment: datetime | None) -> datetime | None:
    """Return a stored UTC time in the desk's time zone."""
    return moment.astimezone(timezone()) if moment else None


# --- what desk templates use ---------------------------------------------------------------


def desk_time(moment: datetime | None) -> str:
    """Format a stored time in the desk's zone and language."""
    if moment is None:
        return ""
    moment = local(moment)
    day = format_date(moment, "medium", rebase=False)
    return f"{day} {format_time(moment, 'short', rebase=False)}"


def desk_sites() -> list:
    return list(registry())


def status_label(post) -> str:
    if post.status == Status.DRAFT:
        return _("Draft")
    if post.is_orphaned:
        return _("Orphaned: what it announces is gone")
    return _("Scheduled") if post.is_scheduled else _("Published")


def field_label(name: str) -> str:
    return {
        "title": _("Title"),
        "slug": _("Slug"),
        "language": _("Language"),
        "summary": _("Summary"),
        "source": _("Text (Markdown)"),
        "status": _("Status"),
        "published_at": _("Publication time"),
    }.get(name, name)


def post_public_url(post) -> str:
    return canonical_url(post)


def post_url_on(post, site_key: str) -> str:
    """Return a post's public URL on one of its sites."""
    return post_url(post, registry()[site_key])


def languages() -> list[str]:
    return registry().languages


def desk_context() -> dict:
    """Give desk templates the language the desk speaks (the author's, not a reader's)."""
    context = {"desk_language": g.get("desk_language")}
    if g.get("user") is not None:
        # One statement per desk page: the header shows how many comments wait.
        context["pending_comments"] = pending_count(db.session())
    return context


def media_kind_label(kind: str) -> str:
    return {
        MediaKind.IMAGE: _("Image"),
        MediaKind.DOCUMENT: _("Document"),
        MediaKind.AUDIO: _("Audio"),
        MediaKind.VIDEO: _("Video"),
    }.get(kind, kind)


def media_thumbnail(media) -> str | None:
    return thumbnail(media)


TEMPLATE_GLOBALS = (
    desk_sites,
    status_label,
    field_label,
    post_public_url,
    post_url_on,
    languages,
    media_kind_label,
    media_thumbnail,
)
