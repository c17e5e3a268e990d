"""Signing in and out, and the author's profile."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import accounts, clock, db, fields
from ..urls import local_path
from . import twofactor
from .desk import SESSION_KEY, sign_in

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return local_path(target, "/admin/") or url_for("admin.posts.index")


def _wait_message(seconds: int) -> str:
    if seconds >= 60:
        minutes = (seconds + 59) // 60
        return ngettext(
            "Too many failed attempts. Sign-in is refused for %(num)d minute; try again later.",
            "Too many failed attempts. Sign-in is refused for %(num)d minutes; try again later.",
            minutes,
        )
    return ngettext(
        "Too many failed attempts. Wait %(num)d second before trying again.",
        "Too many failed attempts. Wait %(num)d seconds before trying again.",
        seconds,
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign an author in; an address's failures on an account slow down, then lock."""
    if g.user is not None and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    error, email = None, request.form.get("email", "").strip()
    status = 200
    try:
        fields.text(fields.EMAIL, email)
    except fields.FieldError as refused:
        # Refused before any lookup or count: no password is tried, so nothing is guessed.
        error, status = str(refused), 422
    if request.method == "POST" and error is None:
        store = db.session()
        address = request.remote_addr
        wait = accounts.claim_attempt(store, email, address, clock.now())
        if wait:
            error, status = _wait_message(wait), 429
        else:
            user = accounts.authenticate(store, email, request.form.get("password", ""))
            if user is None:
                error, status = _("Wrong email or password."), 401
            else:
                accounts.release_attempt(store, email, address)
                if user.totp_secret:
                    return twofactor.start(user, request.args.get("next"))
                sign_in(user)
                return redirect(_safe_next(request.args.get("next")))
    response = render_template("admin/login.html", error=error, email=email)
    return response, status


@bp.post("/logout")
def logout():
    accounts.close_session(db.session(), session.get(SESSION_KEY))
    session.clear()
    return redirect(url_for("admin.auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """Let the author change their name, the desk's language and their password."""
    user, errors, saved = g.user, {}, False
    languages = current_app.extensions["desk_languages"]
    if request.method == "POST":
        store = db.session()
        try:
            name = fields.text(fields.DISPLAY_NAME, request.form.get("name", ""))
        except fields.FieldError as error:
            errors["name"] = str(error)
        language = request.form.get("language", "")
        if language not in languages:
            errors["language"] = _("Choose one of the languages offered.")
        new_password = request.form.get("new_password", "")
        try:
            fields.password(new_password)
        except fields.FieldError as error:
            errors["new_password"] = str(error)
        if new_password and not errors.get("new_password"):
            if accounts.authenticate(store, user.email, request.form.get("password", "")) is None:
                errors["password"] = _("Your current password is not right.")
            elif len(new_password) < accounts.MIN_PASSWORD_LENGTH:
                errors["new_password"] = _(
                    "The new password must have at least %(num)d characters.",
                    num=accounts.MIN_PASSWORD_LENGTH,
                )
        if not errors:
            user.name, user.language = name, language
            if new_password:
                user.password_hash = accounts.hash_password(new_password)
                # Any other browser signed in as this author (a stolen cookie too) is signed out.
                accounts.close_other_sessions(store, user, session.get(SESSION_KEY))
            store.commit()
            return redirect(url_for("admin.auth.profile", saved=1))
    saved = request.args.get("saved") == "1"
    return render_template(
        "admin/profile.html", languages=languages, errors=errors, saved=saved, form=request.form
    ), (422 if errors else 200)
