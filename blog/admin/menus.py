"""Each site's navigation menu: the order of its pages."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from .. import db, fields, queries
from ..sites import registry

bp = Blueprint("menus", __name__)


@bp.route("/menu/<site_key>", methods=["GET", "POST"])
def edit(site_key: str):
    """Order a site's pages in its navigation menu."""
    site = registry().get(site_key)
    if site is None:
        abort(404)
    session = db.session()
    pages = list(session.scalars(queries.site_pages(site.key)))
    errors = {}
    if request.method == "POST":
        for page in pages:
            raw = request.form.get(f"order-{page.id}", "").strip()
            try:
                page.menu_order = fields.integer(fields.MENU_ORDER, raw) if raw else None
            except fields.FieldError as error:
                errors[page.id] = str(error)
        if not errors:
            session.commit()
            return redirect(url_for("admin.menus.edit", site_key=site.key, saved=1))
        session.rollback()
    return render_template(
        "admin/menu.html", site=site, pages=pages, errors=errors, form=request.form
    ), (422 if errors else 200)
