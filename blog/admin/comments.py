"""Comments in the desk: the lists by status, bulk moderation, edit and reply, the blocklist."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import clock, db, fields
from ..comments import service
from ..comments.models import Comment, CommentStatus
from ..models import Post
from ..rendering import RenderError
from .desk import row_button

bp = Blueprint("comments", __name__, url_prefix="/comments")
PAGE_SIZE = 50


@bp.get("/")
def index():
    status = request.args.get("status", CommentStatus.PENDING)
    if status not in CommentStatus.__members__.values():
        abort(404)
    rows = db.session().execute(
        select(Comment, Post.title, Post.language)
        .join(Post, Post.id == Comment.post_id)
        .where(Comment.status == status)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(PAGE_SIZE)
    )
    return render_template(
        "admin/comments.html",
        rows=list(rows),
        status=status,
        statuses=list(CommentStatus),
        done=request.args.get("done", type=int),
    )


@bp.post("/")
def bulk():
    """Apply one action to the chosen comments (a row's own button, or the bulk one)."""
    if ":" in request.form.get("one", ""):
        action, ident = row_button()
        ids = [ident] if ident is not None else []
    else:
        action = request.form.get("action", "")
        ids = [i for i in map(fields.parse_int, request.form.getlist("ids")) if i is not None]
    if action not in (*service.ACTIONS, "delete"):
        abort(400)
    done = service.moderate(db.session(), ids, action)
    db.session().commit()
    status = request.form.get("status", CommentStatus.PENDING)
    return redirect(url_for(".index", status=status, done=done))


def _comment(comment_id: int) -> Comment:
    found = db.session().get(Comment, comment_id)
    if found is None:
        abort(404)
    return found


@bp.get("/<int:comment_id>")
def edit(comment_id: int):
    comment = _comment(comment_id)
    return _form(comment, comment.source, "")


def _form(comment: Comment, text: str, reply: str, error: str = "", status: int = 200):
    post = db.session().get(Post, comment.post_id)
    page = render_template(
        "admin/comment.html", comment=comment, post=post, text=text, reply=reply, error=error
    )
    return page, status


@bp.post("/<int:comment_id>")
def save(comment_id: int):
    """Save the edited text of a comment, or the author's reply to it."""
    comment = _comment(comment_id)
    text = request.form.get("text", "").replace("\r\n", "\n").strip()
    reply = request.form.get("reply", "").replace("\r\n", "\n").strip()
    session = db.session()
    try:
        if "save_reply" in request.form:
            if not reply:
                return _form(comment, comment.source, reply, "empty", 422)
            user = g.user
            service.reply(session, comment, reply, user.name or user.email, user.email, clock.now())
        else:
            if not text:
                return _form(comment, text, reply, "empty", 422)
            service.set_text(comment, text)
    except RenderError as error:
        session.rollback()
        return _form(comment, text or comment.source, reply, str(error), 422)
    session.commit()
    return redirect(url_for(".index", status=comment.status, done=1))


@bp.get("/blocklist")
def blocklist():
    return render_template(
        "admin/blocklist.html", text="\n".join(service.blocklist(db.session())), saved=False
    )


@bp.post("/blocklist")
def save_blocklist():
    session = db.session()
    kept = service.set_blocklist(session, request.form.get("patterns", ""))
    session.commit()
    return render_template("admin/blocklist.html", text="\n".join(kept), saved=True)
