"""The book site's sections in the desk: a list per section, a form per entry, deletion."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from .. import db
from .desk import keeps_text
from .sectionforms import SECTIONS, Section, SectionForm
from .workforms import WORKS

bp = Blueprint("sections", __name__, url_prefix="/book")
SECTIONS = {**SECTIONS, WORKS.key: WORKS}


def _section(key: str) -> Section:
    section = SECTIONS.get(key)
    if section is None:
        abort(404)
    return section


def _row(section: Section, row_id: int):
    row = db.session().get(section.model, row_id)
    if row is None:
        abort(404)
    return row


@bp.get("/")
def index():
    return render_template("admin/sections.html", sections=list(SECTIONS.values()))


@bp.get("/<key>/")
def rows(key: str):
    section = _section(key)
    found = list(db.session().scalars(section.order()))
    return render_template("admin/section_rows.html", section=section, rows=found)


@bp.get("/<key>/new")
def new(key: str):
    section = _section(key)
    return _form(section, None, SectionForm.from_row(section, section.model()))


@bp.post("/<key>/new")
@keeps_text
def create(key: str):
    return _save(_section(key), None)


@bp.get("/<key>/<int:row_id>")
def edit(key: str, row_id: int):
    section = _section(key)
    row = _row(section, row_id)
    return _form(section, row, SectionForm.from_row(section, row))


@bp.post("/<key>/<int:row_id>")
@keeps_text
def save(key: str, row_id: int):
    section = _section(key)
    return _save(section, _row(section, row_id))


@bp.post("/<key>/<int:row_id>/delete")
def delete(key: str, row_id: int):
    section = _section(key)
    session = db.session()
    session.delete(_row(section, row_id))
    session.commit()
    return redirect(url_for("admin.sections.rows", key=section.key, deleted=1))


def _save(section: Section, row):
    """Save a submitted entry; a refused one comes back as typed, with the reasons."""
    form = SectionForm.from_request(request.form, section)
    if g.get("user") is None or g.get("csrf_failed"):
        return _form(section, row, form, 409, signed_out=True)
    if not form.validate(row):
        return _form(section, row, form, 422)
    session = db.session()
    if row is None:
        row = section.model()
        session.add(row)
    form.apply(row)
    session.commit()
    return redirect(url_for("admin.sections.rows", key=section.key, saved=row.id))


def _form(section: Section, row, form: SectionForm, status: int = 200, signed_out: bool = False):
    page = render_template(
        "admin/section_form.html",
        section=section,
        row=row,
        values=form.values,
        errors=form.errors,
        signed_out=signed_out,
    )
    return page, status
