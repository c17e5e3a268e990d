"""What readers send, in the desk: contact messages (read, mark handled, delete, export) and
sign-up forms (define them, see their registrations with their state, admit, delete, export)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import db
from ..models import SLUG_MAX, SLUG_RE
from ..readerforms import export, notices, service
from ..readerforms.models import (
    TITLE_MAX,
    ContactMessage,
    FormState,
    MessageStatus,
    Registration,
    RegistrationStatus,
    SignupForm,
)
from ..rendering import RenderError
from ..sections.models import Talk
from ..sites import registry
from ..urls import site_url
from .desk import keeps_text, row_button
from .sectionforms import TEXT_MAX, Field, Section, SectionForm

bp = Blueprint("readerforms", __name__, url_prefix="/forms")
PAGE_SIZE = 100
MESSAGE_ACTIONS = {"handled": MessageStatus.HANDLED, "new": MessageStatus.NEW}


def _csv_response(filename: str, header: list[str], rows) -> object:
    response = current_app.response_class(
        export.to_csv(header, rows), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- contact messages ------------------------------------------------------------------------


@bp.get("/")
def messages():
    status = request.args.get("status", MessageStatus.NEW)
    if status not in MessageStatus.__members__.values():
        abort(404)
    found = db.session().scalars(
        select(ContactMessage)
        .where(ContactMessage.status == status)
        .order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc())
        .limit(PAGE_SIZE)
    )
    return render_template(
        "admin/messages.html",
        rows=list(found),
        status=status,
        statuses=list(MessageStatus),
        counts=service.message_counts(db.session()),
        sites={site.key: site for site in registry()},
        done=request.args.get("done", type=int),
    )


def _row_action(allowed: tuple[str, ...]) -> tuple[str, int]:
    """Return the action and row id of a row's button; 400 unless both are valid."""
    action, ident = row_button()
    if action not in allowed or ident is None:
        abort(400)
    return action, ident


@bp.post("/")
def message_actions():
    """Mark a message handled or new again, or delete it for good."""
    action, ident = _row_action((*MESSAGE_ACTIONS, "delete"))
    session = db.session()
    message = session.get(ContactMessage, ident)
    if message is not None:
        if action == "delete":
            session.delete(message)
        else:
            message.status = MESSAGE_ACTIONS[action]
        session.commit()
    status = request.form.get("status", MessageStatus.NEW)
    return redirect(url_for(".messages", status=status, done=int(message is not None)))


@bp.get("/messages/<int:message_id>")
def message(message_id: int):
    found = db.session().get(ContactMessage, message_id)
    if found is None:
        abort(404)
    site = registry().get(found.site)
    return render_template("admin/message.html", message=found, site=site)


@bp.get("/messages.csv")
def messages_csv():
    found = db.session().scalars(
        select(ContactMessage).order_by(ContactMessage.created_at, ContactMessage.id)
    )
    header = [_("Date"), _("Site"), _("Status"), _("Name"), _("Email"), _("Subject"), _("Message")]
    rows = (
        (m.created_at.isoformat(timespec="seconds"), m.site, m.status, m.name, m.email,
         m.subject, m.message)
        for m in found
    )  # fmt: skip
    return _csv_response("messages.csv", header, rows)


# --- sign-up forms ---------------------------------------------------------------------------


def _talk_choices() -> list[tuple[str, str]]:
    talks = db.session().execute(
        select(Talk.id, Talk.title, Talk.starts_at).order_by(Talk.starts_at.desc())
    )
    return [("", _("None"))] + [
        (str(ident), f"{starts:%Y-%m-%d} · {title}") for ident, title, starts in talks
    ]


def _site_choices() -> list[tuple[str, str]]:
    return [(site.key, site.title_in(site.default_language)) for site in registry()]


STATES = (
    (FormState.DRAFT, _l("Draft (readers do not see it)")),
    (FormState.OPEN, _l("Open")),
    (FormState.CLOSED, _l("Closed (readers see it, cannot register)")),
)


def _check(clean: dict, row) -> dict[str, str]:
    errors = {}
    slug = clean.get("slug", "")
    if not SLUG_RE.match(slug or "") or len(slug) > SLUG_MAX:
        errors["slug"] = _("Lowercase letters, digits and hyphens, for example seminaire-juin.")
    else:
        other = db.session().scalar(select(SignupForm.id).where(SignupForm.slug == slug))
        if other is not None and (row is None or other != row.id):
            errors["slug"] = _("Another sign-up form has this address.")
    if (clean.get("capacity") or 0) < 1:
        errors["capacity"] = _("At least one seat.")
    return errors


def _apply(row: SignupForm, clean: dict) -> None:
    """Write the values to the form (the description rendered; RenderError if it cannot be)."""
    for name in ("title", "slug", "site", "state", "capacity", "closes_at"):
        setattr(row, name, clean[name])
    row.talk_id = int(clean["talk_id"]) if clean["talk_id"] else None
    site = registry().get(row.site)
    row.set_description(clean["description"], site.default_language if site else "fr")


SIGNUPS = Section(
    "signups",
    SignupForm,
    _l("Sign-up forms"),
    _l("New sign-up form"),
    (
        Field("title", _l("Title"), required=True, max_length=TITLE_MAX),
        Field(
            "slug",
            _l("Address"),
            required=True,
            max_length=SLUG_MAX,
            help=_l("Its page is /inscription/<address>/ on its site."),
        ),
        Field("site", _l("Site"), "choice", required=True, choices=_site_choices),
        Field("state", _l("State"), "choice", required=True, choices=STATES),
        Field(
            "capacity",
            _l("Seats"),
            "int",
            required=True,
            help=_l("Registrations beyond this number go on the waiting list."),
        ),
        Field("closes_at", _l("Registrations close at"), "datetime", help=_l("Optional.")),
        Field(
            "talk_id",
            _l("Talk"),
            "choice",
            choices=_talk_choices,
            help=_l("The talks' page links this talk to its sign-up form."),
        ),
        Field(
            "description",
            _l("Description"),
            "text",
            max_length=TEXT_MAX,
            help=_l("Markdown, shown above the form."),
        ),
    ),
    lambda: select(SignupForm).order_by(SignupForm.created_at.desc(), SignupForm.id.desc()),
    lambda row: row.title,
    lambda row: row.closes_at,
    _check,
    _apply,
)


def _signup(form_id: int) -> SignupForm:
    found = db.session().get(SignupForm, form_id)
    if found is None:
        abort(404)
    return found


@bp.get("/signups/")
def signups():
    session = db.session()
    return render_template(
        "admin/signups.html",
        rows=list(session.scalars(SIGNUPS.order())),
        counts=service.counts(session),
        sites={site.key: site for site in registry()},
        RegistrationStatus=RegistrationStatus,
    )


@bp.get("/signups/new")
def new_signup():
    row = SignupForm(state=FormState.DRAFT, capacity=20, site=next(iter(registry())).key)
    return _signup_form(None, SectionForm.from_row(SIGNUPS, row))


@bp.post("/signups/new")
@keeps_text
def create_signup():
    return _save_signup(None)


@bp.get("/signups/<int:form_id>/edit")
def edit_signup(form_id: int):
    row = _signup(form_id)
    form = SectionForm.from_row(SIGNUPS, row)
    form.values["talk_id"] = str(row.talk_id or "")
    return _signup_form(row, form)


@bp.post("/signups/<int:form_id>/edit")
@keeps_text
def save_signup(form_id: int):
    return _save_signup(_signup(form_id))


@bp.post("/signups/<int:form_id>/delete")
def delete_signup(form_id: int):
    session = db.session()
    session.delete(_signup(form_id))
    session.commit()
    return redirect(url_for(".signups", deleted=1))


def _save_signup(row: SignupForm | None):
    """Save a sign-up form; a refused one comes back as typed. More seats fill the waiting list."""
    form = SectionForm.from_request(request.form, SIGNUPS)
    if g.get("user") is None or g.get("csrf_failed"):
        return _signup_form(row, form, 409, signed_out=True)
    if not form.validate(row):
        return _signup_form(row, form, 422)
    session = db.session()
    target = row or SignupForm()
    try:
        form.apply(target)
    except RenderError as error:
        session.rollback()
        form.errors["description"] = str(error)
        return _signup_form(row, form, 422)
    session.add(target)
    session.commit()
    promoted = service.fill_seats(session, target.id)
    session.commit()
    notices.promoted(registry().get(target.site), target, promoted)
    return redirect(url_for(".signups", saved=target.id))


def _signup_form(row, form: SectionForm, status: int = 200, signed_out: bool = False):
    page = render_template(
        "admin/section_form.html",
        section=SIGNUPS,
        row=row,
        values=form.values,
        errors=form.errors,
        signed_out=signed_out,
        back_url=url_for(".signups"),
        save_url=url_for(".save_signup", form_id=row.id) if row else url_for(".create_signup"),
        delete_url=url_for(".delete_signup", form_id=row.id) if row else None,
    )
    return page, status


@bp.get("/signups/<int:form_id>/")
def registrations(form_id: int):
    signup = _signup(form_id)
    found = db.session().scalars(
        select(Registration)
        .where(Registration.form_id == form_id)
        .order_by(Registration.created_at, Registration.id)
    )
    return render_template(
        "admin/registrations.html",
        signup=signup,
        rows=list(found),
        taken=service.seats_taken(db.session(), form_id),
        RegistrationStatus=RegistrationStatus,
        state_label=notices.state_label,
        page_url=_page_url(signup),
        full=request.args.get("full") == "1",
        done=request.args.get("done", type=int),
    )


def _page_url(signup: SignupForm) -> str:
    site = registry().get(signup.site)
    if site is None or signup.state == FormState.DRAFT:
        return ""
    return site_url(site, "public.signup", site.default_language, slug=signup.slug)


@bp.post("/signups/<int:form_id>/")
def registration_actions(form_id: int):
    """Admit a held or waiting registration (a seat if one is free), or delete one."""
    signup = _signup(form_id)
    action, ident = _row_action(("admit", "delete"))
    session = db.session()
    found = session.get(Registration, ident)
    if found is None or found.form_id != form_id:
        return redirect(url_for(".registrations", form_id=form_id, done=0))
    promoted, full = [], False
    if action == "delete":
        promoted = service.remove(session, found)
    else:
        full = not service.admit(session, found)
    session.commit()
    notices.promoted(registry().get(signup.site), signup, promoted)
    return redirect(url_for(".registrations", form_id=form_id, done=1, full=int(full)))


@bp.get("/signups/<int:form_id>/registrations.csv")
def registrations_csv(form_id: int):
    signup = _signup(form_id)
    found = db.session().scalars(
        select(Registration)
        .where(Registration.form_id == form_id)
        .order_by(Registration.created_at, Registration.id)
    )
    header = [_("Date"), _("Status"), _("Name"), _("Email"), _("Message")]
    rows = (
        (
            r.created_at.isoformat(timespec="seconds"),
            notices.state_label(r.status),
            r.name,
            r.email,
            r.message,
        )
        for r in found
    )
    return _csv_response(f"inscriptions-{signup.slug}.csv", header, rows)
