"""Subscriptions and mailings: the one home of each change they go through.

A reader asks with the subscribe form (the same defences as the comment form: a token signed
with the app's secret that dates the page, a hidden field, a rate limit per address, the
desk's blocklist); the address is stored unconfirmed and mailed a confirmation link; only a
confirmed address gets posts. The answer is the same whatever the address's state, so the
form tells no one who follows the site. Links carry tokens signed with the app's secret and
the address: nothing secret is stored. Unsubscribing deletes the address and its waiting
messages; an address left unconfirmed is deleted after SUBSCRIPTIONS_CONFIRM_DAYS.

A post goes to subscribers when the author leaves the editor's « Mail to subscribers » box
ticked (a Mailing, planned); the sender (sender.py) queues the planned mailings of posts
that readers can see, at its next run after they become public: a scheduled post goes when
it comes due. Drafts, scheduled posts and the trash are never mailed.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from .. import mail
from ..comments import service as comments
from ..comments import spam
from ..fields import parse_int
from ..models import Kind, Post
from ..sites import Site, SiteRegistry
from ..urls import post_url, site_url
from ..visibility import visible
from .models import EMAIL_MAX, Mailing, MailingStatus, Subscriber

CONFIRM, UNSUBSCRIBE, FORM = "subscription-confirm", "unsubscribe", "subscribe-form"
# A pending address asking again gets another confirmation at most this often.
RESEND_AFTER = timedelta(hours=1)


class Refusal(enum.Enum):
    """Why the subscribe form was sent back, each with the message the visitor reads."""

    EXPIRED = _l("This form has expired. Please send it again.")
    TOO_SOON = _l("That was quick! Please check your address and send the form again.")
    ROBOT = _l("Your subscription could not be accepted.")
    TOO_OFTEN = _l("Many subscriptions came from your network lately. Please wait a few minutes.")
    BAD_EMAIL = _l("This email address does not look right.")
    ELSEWHERE = _l("This form was sent from another site.")


def _sign(secret: str, *parts: object) -> str:
    message = "|".join(map(str, parts)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def form_token(secret: str, site_key: str, now: datetime) -> str:
    """Return the token of a site's subscribe form made at `now`."""
    stamp = int(now.timestamp())
    return f"{stamp}.{_sign(secret, FORM, site_key, stamp)}"


def token_age(secret: str, token: str, site_key: str, now: datetime) -> float | None:
    """Return the seconds since a form token was made for this site, or None if it is not one."""
    stamp, _sep, signature = token.partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return None
    if not hmac.compare_digest(signature, _sign(secret, FORM, site_key, stamp)):
        return None
    return now.timestamp() - int(stamp)


def link_token(secret: str, subscriber: Subscriber, purpose: str) -> str:
    """Return the token of a subscriber's confirmation (CONFIRM) or unsubscribe link."""
    return f"{subscriber.id}.{_sign(secret, purpose, subscriber.id, subscriber.email)}"


def find(session: Session, secret: str, token: str, purpose: str) -> Subscriber | None:
    """Return the subscriber a link's token names, or None (forged, or no longer there)."""
    ident, _sep, signature = token[:80].partition(".")
    subscriber_id = parse_int(ident)
    if subscriber_id is None:
        return None
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        return None
    expected = _sign(secret, purpose, subscriber.id, subscriber.email)
    return subscriber if hmac.compare_digest(signature, expected) else None


def normalize(email: str) -> str:
    return email.strip().lower()


def judge(email: str, signals: spam.Signals, settings) -> Refusal | None:
    """Return why a subscription is refused (the comment form's limits), or None."""
    if signals.honeypot:
        return Refusal.ROBOT
    if signals.age is None or signals.age > settings["COMMENTS_FORM_MAX_AGE"]:
        return Refusal.EXPIRED
    if signals.age < settings["COMMENTS_MIN_SECONDS"]:
        return Refusal.TOO_SOON
    if signals.recent >= settings["COMMENTS_RATE_LIMIT"]:
        return Refusal.TOO_OFTEN
    if len(email) > EMAIL_MAX or not comments.EMAIL.match(email):
        return Refusal.BAD_EMAIL
    return None


def subscribe(
    session: Session,
    site: Site,
    language: str,
    email: str,
    *,
    token: str,
    honeypot: str,
    address: str,
    now: datetime,
    settings,
) -> Refusal | None:
    """Take a reader's subscription: refused (why), or stored unconfirmed and a confirmation
    queued (nothing at all for an address already confirmed, or blocklisted); the caller
    commits. `language` is "" for every language of the site."""
    email = normalize(email)
    secret = settings["SECRET_KEY"]
    hashed = comments.address_hash(secret, address)
    window = now - timedelta(seconds=settings["COMMENTS_RATE_WINDOW"])
    recent = select(func.count()).where(
        Subscriber.address_hash == hashed, Subscriber.created_at >= window
    )
    signals = spam.Signals(
        honeypot=honeypot,
        age=token_age(secret, token, site.key, now),
        recent=session.scalar(recent) or 0,
        address=address,
    )
    refusal = judge(email, signals, settings)
    if refusal is not None:
        return refusal
    if spam.blocked(comments.blocklist(session), email, address) is not None:
        return None  # answered as any other, and nothing is stored or sent
    language = language if language in site.languages and len(site.languages) > 1 else ""
    found = session.scalar(
        select(Subscriber).where(Subscriber.site == site.key, Subscriber.email == email)
    )
    if found is not None and found.confirmed_at is not None:
        return None
    if found is not None and found.created_at > now - RESEND_AFTER:
        found.language = language
        return None
    if found is None:
        found = Subscriber(site=site.key, email=email)
        session.add(found)
    found.language, found.created_at, found.address_hash = language, now, hashed
    session.flush()
    _ask_confirmation(session, site, found, settings, now)
    return None


def _ask_confirmation(session, site: Site, subscriber: Subscriber, settings, now) -> None:
    """Queue the message whose link confirms a subscription (in the page's language)."""
    language = subscriber.language or site.default_language
    link = site_url(
        site,
        "public.confirm_subscription",
        language,
        token=link_token(settings["SECRET_KEY"], subscriber, CONFIRM),
    )
    title = site.title_in(language)
    body = "\n\n".join(
        [
            _(
                "Someone, probably you, asked to receive the new posts of %(site)s at this"
                " address. To confirm, open this link: %(url)s",
                site=title,
                url=link,
            ),
            _(
                "If it was not you, ignore this message: an address left unconfirmed is"
                " deleted after %(days)s days.",
                days=settings["SUBSCRIPTIONS_CONFIRM_DAYS"],
            ),
        ]
    )
    subject = _("Confirm your subscription to %(site)s", site=title)
    mail.queue(session, [subscriber.email], subject, body, subscriber_id=subscriber.id, now=now)


def confirm(subscriber: Subscriber, now: datetime) -> None:
    """Confirm a subscription (its address hash has served)."""
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
    subscriber.address_hash = None


def unsubscribe(session: Session, subscriber: Subscriber) -> None:
    """Delete a subscription and the messages still waiting for it."""
    table = mail.OutboxMessage.__table__
    session.connection().execute(
        delete(table).where(
            table.c.subscriber_id == subscriber.id, table.c.status != mail.MessageStatus.SENT
        )
    )
    session.delete(subscriber)


def forget(session: Session, now: datetime, settings) -> int:
    """Delete the subscriptions left unconfirmed too long; return how many."""
    before = now - timedelta(days=settings["SUBSCRIPTIONS_CONFIRM_DAYS"])
    table = Subscriber.__table__
    done = session.connection().execute(
        delete(table).where(table.c.confirmed_at.is_(None), table.c.created_at < before)
    )
    return done.rowcount or 0


def counts(session: Session) -> dict[tuple[str, str], dict[str, int]]:
    """Return {(site, language or ""): {"confirmed": n, "pending": n}}."""
    found: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"confirmed": 0, "pending": 0}
    )
    rows = session.execute(
        select(
            Subscriber.site,
            Subscriber.language,
            Subscriber.confirmed_at.is_not(None),
            func.count(),
        ).group_by(Subscriber.site, Subscriber.language, Subscriber.confirmed_at.is_not(None))
    )
    for site, language, confirmed, n in rows:
        found[(site, language)]["confirmed" if confirmed else "pending"] += n
    return dict(found)


def mailing_of(session: Session, post_id: int | None) -> Mailing | None:
    return session.get(Mailing, post_id) if post_id is not None else None


def plan(session: Session, post: Post, wanted: bool) -> None:
    """Record whether a post goes to subscribers (the editor's box); a sent one stays sent."""
    if post.kind != Kind.POST:
        return
    session.flush()
    found = session.get(Mailing, post.id)
    if found is not None and found.status == MailingStatus.SENT:
        return
    status = MailingStatus.PLANNED if wanted else MailingStatus.SKIPPED
    if found is None:
        if not wanted:
            return  # nothing planned, nothing to skip
        session.add(Mailing(post_id=post.id, status=status))
    else:
        found.status = status


def queue_due(session: Session, sites: SiteRegistry, now: datetime, settings) -> int:
    """Queue each planned mailing of a post readers can now see; return the messages queued.

    Each mailing is taken by one conditional UPDATE, so two senders never mail a post twice;
    its messages are committed with it.
    """
    due = session.scalars(
        select(Post.id)
        .join(Mailing, Mailing.post_id == Post.id)
        .where(Mailing.status == MailingStatus.PLANNED, Post.kind == Kind.POST, visible(now))
        .order_by(Post.published_at, Post.id)
    ).all()
    queued = 0
    for post_id in due:
        table = Mailing.__table__
        taken = session.connection().execute(
            update(table)
            .where(table.c.post_id == post_id, table.c.status == MailingStatus.PLANNED)
            .values(status=MailingStatus.SENT, sent_at=now)
        )
        if taken.rowcount != 1:
            session.rollback()
            continue
        post = session.get(Post, post_id)
        count = 0
        for site_key in post.sites:
            site = sites.get(site_key)
            if site is not None and site.accepts(post.language):
                count += _mail_post(session, site, post, settings, now)
        session.connection().execute(
            update(table).where(table.c.post_id == post_id).values(recipients=count)
        )
        session.commit()
        queued += count
    return queued


def _mail_post(session: Session, site: Site, post: Post, settings, now: datetime) -> int:
    """Queue a post for the confirmed subscribers of `site` in its language; return how many."""
    followers = session.scalars(
        select(Subscriber)
        .where(
            Subscriber.site == site.key,
            Subscriber.confirmed_at.is_not(None),
            or_(Subscriber.language == "", Subscriber.language == post.language),
        )
        .order_by(Subscriber.id)
    ).all()
    if not followers:
        return 0
    secret = settings["SECRET_KEY"]
    with force_locale(post.language):
        title = site.title_in(post.language)
        parts = [post.title]
        if post.summary:
            parts.append(post.summary)
        if site.mail_full_text and post.source:
            parts.append(post.source)
        parts.append(_("Read it on the site: %(url)s", url=post_url(post, site)))
        subject = _("%(site)s: %(title)s", site=title, title=post.title)
        for follower in followers:
            link = site_url(
                site,
                "public.unsubscribe",
                post.language,
                token=link_token(secret, follower, UNSUBSCRIBE),
            )
            footer = _(
                "You receive this message because you follow %(site)s by email."
                " To stop, open this link: %(url)s",
                site=title,
                url=link,
            )
            headers = {
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Content-Language": post.language,
            }
            body = "\n\n".join([*parts, "-- ", footer])
            mail.queue(
                session, [follower.email], subject, body,
                headers=headers, subscriber_id=follower.id, now=now,
            )  # fmt: skip
    return len(followers)
