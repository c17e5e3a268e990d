"""The post list's bulk actions (publish, unpublish, trash, add a term) and the calendar of
scheduled posts."""

from __future__ import annotations

import calendar as months
from datetime import UTC, date, datetime

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock, db, fields, queries
from ..announcements import withdrawal_effects
from ..models import Post, Revision, Status, Term
from ..rendering import RenderError
from ..rules import ContentRuleError
from ..urls import local_path
from .desk import local, timezone

bp = Blueprint("bulk", __name__)

ACTIONS = ("publish", "unpublish", "trash", "add_term")
# Beyond this, a bulk action is refused: a page of the list holds 25 posts.
MAX_POSTS = 100
# The actions that take posts away from readers: asked first, with what they affect.
WITHDRAWING = ("unpublish", "trash")


def _apply(post: Post, action: str, term: Term | None, now: datetime) -> bool:
    """Apply one action to one post; say whether it changed anything."""
    if action == "publish":
        if post.status == Status.PUBLISHED:
            return False
        post.status, post.published_at = Status.PUBLISHED, post.published_at or now
    elif action == "unpublish":
        if post.status == Status.DRAFT:
            return False
        post.status = Status.DRAFT
    elif action == "trash":
        post.deleted_at = now
        return True
    else:
        if term in post.terms:
            return False
        post.terms.append(term)
    db.session().add(Revision.of(post, g.user, note=f"bulk: {action}"))
    return True


@bp.post("/posts/bulk")
def apply():
    """Apply an action to the posts ticked in the list, one by one through the store's rules.

    Unpublishing or trashing first shows what it affects (announcements that will answer 410)
    and asks; a post the store refuses is named with the reason, the others are done.
    """
    form, session = request.form, db.session()
    action = form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    ids = [i for i in (fields.parse_int(raw) for raw in form.getlist("post")) if i is not None]
    back = local_path(form.get("next"), "/admin/") or url_for("admin.posts.index")
    if not ids:
        return redirect(back)
    if len(ids) > MAX_POSTS:
        abort(400)
    posts = list(session.scalars(select(Post).where(Post.id.in_(ids), Post.deleted_at.is_(None))))
    term = None
    if action == "add_term":
        term_id = fields.parse_int(form.get("term", ""))
        term = session.get(Term, term_id) if term_id is not None else None
        if term is None:
            abort(400)
    now = clock.now()
    if action in WITHDRAWING and form.get("confirmed") != "1":
        effects = [(post, withdrawal_effects(post, now)) for post in posts]
        return render_template("admin/bulk_confirm.html", action=action, effects=effects, back=back)
    done, refused = 0, []
    for post in posts:
        try:
            with session.begin_nested():
                changed = _apply(post, action, term, now)
                session.flush()
            done += changed
        except (ContentRuleError, RenderError) as error:
            refused.append((post.title, str(error)))
    session.commit()
    return render_template("admin/bulk_done.html", done=done, refused=refused, back=back)


@bp.get("/calendar")
def calendar():
    """Show a month of scheduled posts (?month=YYYY-MM, the current month by default)."""
    today = local(clock.now()).date()
    raw = request.args.get("month", "")
    try:
        first = datetime.strptime(raw, "%Y-%m").date() if raw else today.replace(day=1)
    except ValueError:
        abort(404)
    if not 1970 <= first.year <= 9998:
        abort(404)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    zone = timezone()
    start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(following, datetime.min.time(), zone).astimezone(UTC)
    posts = db.session().scalars(queries.scheduled_between(start, end, clock.now()))
    by_day: dict[int, list[Post]] = {}
    for post in posts:
        by_day.setdefault(local(post.published_at).day, []).append(post)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return render_template(
        "admin/calendar.html",
        first=first,
        weeks=months.Calendar().monthdayscalendar(first.year, first.month),
        by_day=by_day,
        previous=previous if previous.year >= 1970 else None,
        following=following if following.year <= 9998 else None,
        today=today,
        title=_("Scheduled posts"),
    )
