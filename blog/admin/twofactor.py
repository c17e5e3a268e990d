"""Two-factor sign-in (optional, per account): setting it up, turning it off, and the code
asked after the password. Codes are TOTP (totp.py); recovery codes stand in for a lost phone.
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import accounts, clock, db, people, totp
from ..models import User
from ..urls import local_path
from .desk import sign_in

bp = Blueprint("twofactor", __name__)

PENDING_SECRET = "totp_pending"
# After the password, before the code: who is signing in, since when, and where to go next.
PENDING_USER, PENDING_AT, PENDING_NEXT = "2fa_user", "2fa_at", "2fa_next"
# Seconds the code page waits for the code before the password is asked again.
PENDING_LIFETIME = 300


def start(user: User, target: str | None):
    """After a right password: remember who signs in, and ask for the code."""
    session[PENDING_USER] = user.id
    session[PENDING_AT] = clock.now().timestamp()
    session[PENDING_NEXT] = local_path(target, "/admin/") or ""
    return redirect(url_for("admin.twofactor.login_code"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """Ask the code of the authenticator app (or a recovery code), then sign in."""
    user_id, started = session.get(PENDING_USER), session.get(PENDING_AT, 0)
    store = db.session()
    user = store.get(User, user_id) if user_id else None
    if user is None or not user.totp_secret or clock.now().timestamp() - started > PENDING_LIFETIME:
        return redirect(url_for("admin.auth.login"))
    error, status = None, 200
    if request.method == "POST":
        address, now = request.remote_addr, clock.now()
        wait = accounts.claim_attempt(store, user.email, address, now)
        code = request.form.get("code", "")
        step = (
            None if wait else totp.accepted_step(user.totp_secret, code, now, user.totp_last_step)
        )
        if wait:
            error, status = _("Too many failed attempts. Try again later."), 429
        elif step is not None or people.use_recovery_code(store, user, code):
            if step is not None:
                user.totp_last_step = step
            store.commit()
            accounts.release_attempt(store, user.email, address)
            target = session.get(PENDING_NEXT) or url_for("admin.posts.index")
            sign_in(user)
            return redirect(target)
        else:
            error, status = _("This code is not right (or was used already)."), 401
    return render_template("admin/login_code.html", error=error), status


@bp.route("/profile/two-factor", methods=["GET", "POST"])
def setup():
    """Set up two-factor sign-in: a secret for the app, confirmed by one of its codes."""
    user, store = g.user, db.session()
    if user.totp_secret:
        return render_template("admin/two_factor.html", enabled=True)
    secret = session.get(PENDING_SECRET)
    if secret is None or request.method == "GET":
        secret = session[PENDING_SECRET] = totp.new_secret()
    error = None
    if request.method == "POST":
        step = totp.accepted_step(secret, request.form.get("code", ""), clock.now(), None)
        if step is None:
            error = _("This code is not right: type the six digits the app shows now.")
        else:
            user.totp_secret, user.totp_last_step = secret, step
            codes = people.new_recovery_codes(store, user)
            store.commit()
            session.pop(PENDING_SECRET, None)
            return render_template("admin/two_factor.html", enabled=True, codes=codes)
    uri = totp.provisioning_uri(secret, user.email, _("Author's desk"))
    return render_template(
        "admin/two_factor.html", enabled=False, secret=secret, uri=uri, error=error
    ), (422 if error else 200)


@bp.post("/profile/two-factor/off")
def turn_off():
    """Turn two-factor sign-in off, the password confirming it is the author."""
    user, store = g.user, db.session()
    if accounts.authenticate(store, user.email, request.form.get("password", "")) is None:
        error = _("Your current password is not right.")
        return render_template("admin/two_factor.html", enabled=True, error=error), 422
    user.totp_secret, user.totp_last_step = None, None
    people.forget_recovery_codes(store, user)
    store.commit()
    return redirect(url_for("admin.auth.profile", saved=1))
