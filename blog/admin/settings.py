"""The sites' settings (administrators only): title, tagline and description per language.

The sites file stays the source of hosts, languages and policies; what is saved here
overrides its texts (sitesettings.py). Menus are edited on each site's menu page.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import db, fields, sitesettings
from ..sites import registry

bp = Blueprint("settings", __name__)


@bp.route("/settings/<site_key>", methods=["GET", "POST"])
def edit(site_key: str):
    site = registry().get(site_key)
    if site is None:
        abort(404)
    errors: dict[str, str] = {}
    values = {
        f"{name}-{language}": getattr(site, name).get(language, "")
        for name in sitesettings.NAMES
        for language in site.languages
    }
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in values}
        for key, value in values.items():
            name = key.split("-", 1)[0]
            try:
                values[key] = fields.text(fields.SITE_TEXTS[name], value.strip())
            except fields.FieldError as error:
                errors[key] = str(error)
        if not values[f"title-{site.default_language}"]:
            errors[f"title-{site.default_language}"] = _(
                "The site needs a title in its default language."
            )
        if not errors:
            session = db.session()
            sitesettings.save(
                session,
                site.key,
                {tuple(reversed(key.split("-", 1))): value for key, value in values.items()},
            )
            session.commit()
            sitesettings.refresh(session)
            return redirect(url_for("admin.settings.edit", site_key=site.key, saved=1))
    return render_template("admin/settings.html", site=site, values=values, errors=errors), (
        422 if errors else 200
    )
