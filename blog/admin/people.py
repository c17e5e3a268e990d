"""People (administrators only): accounts, their roles, invitations and password links; and
the page a one-time link opens to set a password."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import accounts, clock, db, fields, people
from ..models import Role, User
from ..sites import registry

bp = Blueprint("people", __name__)


def link_url(token: str) -> str:
    """Return the absolute address of a one-time link, on the site the desk is used from."""
    return url_for("admin.people.set_password", link_token=token, _external=True)


def _send(user: User, token: str, purpose: str) -> bool:
    """Queue the link's message when SMTP is configured (the caller commits); say whether."""
    url = link_url(token)
    if purpose == people.INVITE:
        subject = _("You are invited to the author's desk")
        body = _("Open this link to choose your password: %(url)s", url=url)
    else:
        subject = _("Choose a new password")
        body = _("Open this link to choose a new password: %(url)s", url=url)
    return people.mail_link(db.session(), user, subject, body)


def _page(status: int = 200, **context):
    users = list(db.session().scalars(select(User).order_by(User.email)))
    return render_template(
        "admin/people.html",
        users=users,
        roles=list(Role),
        languages=current_app.extensions["desk_languages"],
        form=request.form,
        **context,
    ), status


@bp.get("/people")
def index():
    return _page()


@bp.post("/people/invite")
def invite():
    """Create an account with a role and give (or mail) its one-time link."""
    form, session = request.form, db.session()
    language = form.get("language", "")
    if language not in current_app.extensions["desk_languages"]:
        language = g.desk_language
    try:
        user = people.invite(
            session, form.get("email", ""), form.get("name", ""), form.get("role", ""), language
        )
        session.flush()
    except (accounts.AccountError, fields.FieldError) as error:
        session.rollback()
        return _page(422, error=str(error))
    token = people.new_link_token(session, user, people.INVITE, clock.now())
    mailed = _send(user, token, people.INVITE)
    session.commit()
    return _page(link=None if mailed else link_url(token), mailed=mailed, for_user=user)


def _user_or_404(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/people/<int:user_id>/role")
def change_role(user_id: int):
    """Give an account another role; the last administrator stays one."""
    user, session = _user_or_404(user_id), db.session()
    role = request.form.get("role", "")
    if role not in list(Role):
        abort(400)
    demoted = user.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR
    if demoted and people.administrators(session) <= 1:
        return _page(422, error=_("The desk needs at least one administrator."))
    user.role = role
    session.commit()
    return redirect(url_for("admin.people.index", saved=1))


@bp.post("/people/<int:user_id>/reset")
def reset(user_id: int):
    """Give (or mail) a one-time link that sets a new password for an account."""
    user, session = _user_or_404(user_id), db.session()
    token = people.new_link_token(session, user, people.RESET, clock.now())
    mailed = _send(user, token, people.RESET)
    session.commit()
    return _page(link=None if mailed else link_url(token), mailed=mailed, for_user=user)


@bp.route("/password/<link_token>", methods=["GET", "POST"])
def set_password(link_token: str):
    """Set an account's password through its one-time link (signed in or not)."""
    session = db.session()
    row = people.token_user(session, link_token, clock.now())
    if row is None:
        return render_template("admin/password.html", expired=True), 410
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        try:
            fields.password(password)
            if len(password) < accounts.MIN_PASSWORD_LENGTH:
                raise fields.FieldError(
                    "password",
                    _(
                        "The new password must have at least %(num)d characters.",
                        num=accounts.MIN_PASSWORD_LENGTH,
                    ),
                )
        except fields.FieldError as refused:
            error = str(refused)
        else:
            people.set_password(session, row, password)
            session.commit()
            return redirect(url_for("admin.auth.login", reset=1))
    return render_template(
        "admin/password.html", expired=False, user=row.user, error=error, sites=registry()
    ), (422 if error else 200)
