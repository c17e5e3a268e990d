"""Comments written and moderated: the one home of each change a comment goes through.

The public form carries a token signed with the app's secret, the same for every reader of a
page, so that a cached page can carry it (a per-session token cannot be in a page served to
everyone): it names the post and the time the page was made. It proves the form came from one
of our pages, how long ago (the minimum fill time), and expires; with the Origin check of
the form's view, it stands in for the desk's per-session CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import rendering
from ..fields import parse_int
from ..models import Post
from . import spam
from .models import EMAIL_MAX, NAME_MAX, WEBSITE_MAX, BlockedPattern, Comment, CommentStatus
from .spam import Action, Refusal, Signals, Verdict

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# What the desk does to chosen comments.
ACTIONS = {
    "approve": CommentStatus.APPROVED,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.TRASH,
}


@dataclass
class CommentForm:
    """What a reader typed, kept whole to be given back when the form is refused."""

    name: str = ""
    email: str = ""
    website: str = ""
    text: str = ""
    parent_id: int | None = None
    token: str = ""
    honeypot: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_form(cls, form) -> CommentForm:
        parent = form.get("parent", "")
        return cls(
            name=form.get("name", "").strip()[: NAME_MAX * 2],
            email=form.get("email", "").strip()[: EMAIL_MAX * 2],
            website=form.get("website", "").strip()[: WEBSITE_MAX * 2],
            text=form.get("text", "").replace("\r\n", "\n").strip(),
            parent_id=parse_int(parent),
            token=form.get("token", ""),
            honeypot=form.get("homepage", ""),
        )


def _sign(secret: str, *parts: object) -> str:
    message = "|".join(map(str, parts)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def form_token(secret: str, post_id: int, now: datetime) -> str:
    """Return the token of a post's comment form made at `now`."""
    stamp = int(now.timestamp())
    return f"{stamp}.{_sign(secret, 'comment-form', post_id, stamp)}"


def token_age(secret: str, token: str, post_id: int, now: datetime) -> float | None:
    """Return the seconds since a form token was made for this post, or None if it is not one."""
    stamp, _, signature = token.partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return None
    if not hmac.compare_digest(signature, _sign(secret, "comment-form", post_id, stamp)):
        return None
    return now.timestamp() - int(stamp)


def removal_token(secret: str, comment_id: int) -> str:
    """Return the token of the link by which a commenter removes their comment."""
    return f"{comment_id}.{_sign(secret, 'comment-removal', comment_id)}"


def removal_of(secret: str, token: str) -> int | None:
    """Return the comment id a removal token names, or None."""
    ident, _, signature = token.partition(".")
    if not ident.isdigit() or len(ident) > 12:
        return None
    if not hmac.compare_digest(signature, _sign(secret, "comment-removal", ident)):
        return None
    return int(ident)


def address_hash(secret: str, address: str) -> str:
    """Return the hash kept instead of an address: enough to count, not to find anyone."""
    return _sign(secret, "address", address) + _sign(secret, "address2", address)


def check_fields(form: CommentForm, max_length: int) -> Refusal | None:
    """Return why the fields themselves cannot be stored, or None."""
    if not form.name or not form.text:
        return Refusal.MISSING
    if len(form.name) > NAME_MAX or len(form.text) > max_length:
        return Refusal.TOO_LONG
    if form.email and (len(form.email) > EMAIL_MAX or not EMAIL.match(form.email)):
        return Refusal.BAD_EMAIL
    if form.website and (len(form.website) > WEBSITE_MAX or not WEBSITE.match(form.website)):
        return Refusal.BAD_WEBSITE
    return None


def blocklist(session: Session) -> list[str]:
    return list(session.scalars(select(BlockedPattern.pattern).order_by(BlockedPattern.pattern)))


def set_blocklist(session: Session, text: str) -> list[str]:
    """Replace the blocklist by the lines of `text` (blank and repeated lines dropped)."""
    wanted = []
    for line in text.splitlines():
        line = line.strip()[:200]
        if line and line.lower() not in (w.lower() for w in wanted):
            wanted.append(line)
    session.query(BlockedPattern).delete()
    session.add_all(BlockedPattern(pattern=p) for p in wanted)
    return wanted


def is_known(session: Session, email: str) -> bool:
    """Say whether this email signed a comment the author approved before."""
    if not email:
        return False
    found = select(Comment.id).where(
        func.lower(Comment.email) == email.lower(), Comment.status == CommentStatus.APPROVED
    )
    return session.scalar(found.limit(1)) is not None


def recent_from(session: Session, hashed: str, since: datetime, models=(Comment,)) -> int:
    """Return how many rows of `models` (what readers send) this address hash sent since
    `since`: the rate limit's count."""
    counted = 0
    for model in models:
        found = select(func.count()).where(model.address_hash == hashed, model.created_at >= since)
        counted += session.scalar(found) or 0
    return counted


def forget_addresses(session: Session, before: datetime, models=(Comment,)) -> None:
    """Erase the address hashes of rows of `models` older than `before` (they have served)."""
    # A Core statement: erasing a hash changes no page, so the store state stays as it is.
    for model in models:
        table = model.__table__
        session.connection().execute(
            update(table)
            .where(table.c.address_hash.is_not(None), table.c.created_at < before)
            .values(address_hash=None)
        )


def submit(
    session: Session,
    post: Post,
    form: CommentForm,
    *,
    address: str,
    now: datetime,
    settings: dict,
) -> tuple[Comment | None, Verdict]:
    """Judge a reader's comment and store it unless refused; the caller commits."""
    refusal = check_fields(form, settings["COMMENTS_MAX_LENGTH"])
    if refusal is not None:
        return None, Verdict(Action.REFUSE, refusal)
    secret = settings["SECRET_KEY"]
    hashed = address_hash(secret, address)
    forget_addresses(session, now - timedelta(days=settings["COMMENTS_ADDRESS_DAYS"]))
    window = now - timedelta(seconds=settings["COMMENTS_RATE_WINDOW"])
    signals = Signals(
        honeypot=form.honeypot,
        age=token_age(secret, form.token, post.id, now),
        recent=recent_from(session, hashed, window),
        known=is_known(session, form.email),
        address=address,
    )
    verdict = spam.judge(
        form.name, form.email, form.website, form.text, signals, settings, blocklist(session)
    )
    if verdict.action == Action.REFUSE:
        return None, verdict
    status = CommentStatus.APPROVED if verdict.action == Action.PUBLISH else CommentStatus.PENDING
    comment = Comment(
        post_id=post.id,
        parent_id=thread_of(session, post.id, form.parent_id),
        status=status,
        name=form.name,
        email=form.email,
        website=form.website,
        language=post.language,
        created_at=now,
        address_hash=hashed,
    )
    set_text(comment, form.text)
    session.add(comment)
    return comment, verdict


def thread_of(session: Session, post_id: int, parent_id: int | None) -> int | None:
    """Return the comment a reply hangs under: its parent's thread, on the same post, or None."""
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id)
    if parent is None or parent.post_id != post_id or parent.status != CommentStatus.APPROVED:
        return None
    return parent.parent_id or parent.id


def set_text(comment: Comment, text: str) -> None:
    """Set a comment's Markdown and its sanitized HTML (rendering.render_comment)."""
    comment.source = text
    comment.html = rendering.render_comment(text, comment.language)


def moderate(session: Session, ids: list[int], action: str) -> int:
    """Give the chosen comments the status `action` names ("delete" deletes); return how many."""
    comments = list(session.scalars(select(Comment).where(Comment.id.in_(ids)))) if ids else []
    for comment in comments:
        if action == "delete":
            session.delete(comment)
        else:
            comment.status = ACTIONS[action]
    return len(comments)


def reply(session: Session, parent: Comment, text: str, name: str, email: str, now) -> Comment:
    """Store the author's reply to a comment (approving the comment it answers)."""
    parent.status = CommentStatus.APPROVED
    comment = Comment(
        post_id=parent.post_id,
        parent_id=parent.parent_id or parent.id,
        status=CommentStatus.APPROVED,
        name=name,
        email=email,
        language=parent.language,
        created_at=now,
        by_author=True,
    )
    set_text(comment, text)
    session.add(comment)
    return comment


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(Comment.status == CommentStatus.PENDING)) or 0


@dataclass
class Imported:
    """A comment brought by an import (WordPress, a Markdown folder), before it is stored.

    `key` names it within its post, `parent` the key of the comment it answers (None: none).
    """

    key: str
    name: str
    text: str
    created_at: datetime
    status: str = CommentStatus.APPROVED
    email: str = ""
    website: str = ""
    parent: str | None = None
    by_author: bool = False


def thread_roots(comments: list[Imported]) -> dict[str, str | None]:
    """Return each comment's top-level ancestor (None for a top-level comment): replies go
    one level deep, so a reply to a reply hangs under the comment that began its thread. A
    parent that is not among `comments` (or a loop) makes a comment top-level."""
    by_key = {c.key: c for c in comments}
    roots: dict[str, str | None] = {}
    for comment in comments:
        seen, current = {comment.key}, comment
        while current.parent in by_key and current.parent not in seen:
            seen.add(current.parent)
            current = by_key[current.parent]
        roots[comment.key] = None if current is comment else current.key
    return roots


def add_imported(session: Session, post: Post, comments: list[Imported]) -> int:
    """Store imported comments under a post that has its id, threads kept; return how many.

    Texts are rendered by the comments' sanitizer; names, emails and websites that do not fit
    their columns are cut or dropped rather than refused (an import keeps what it can).
    """
    roots = thread_roots(comments)
    made: dict[str, Comment] = {}
    for top_level in (True, False):
        for entry in comments:
            root = roots[entry.key]
            if (root is None) != top_level:
                continue
            email = entry.email.strip()
            website = entry.website.strip()
            comment = Comment(
                post_id=post.id,
                parent_id=made[root].id if root is not None else None,
                status=entry.status,
                name=(entry.name.strip() or "?")[:NAME_MAX],
                email=email if len(email) <= EMAIL_MAX and EMAIL.match(email) else "",
                website=website if len(website) <= WEBSITE_MAX and WEBSITE.match(website) else "",
                language=post.language,
                created_at=entry.created_at,
                by_author=entry.by_author,
            )
            set_text(comment, entry.text)
            session.add(comment)
            made[entry.key] = comment
        session.flush()
    return len(made)
