"""Each site's navigation menu: the order of its pages, and its menu per language.

A site's menu is automatic (its visible pages by position, then its sections) until an
editor saves one for a language (menus.py): pages, terms, sections and other addresses, in
their order, each with a label. The editor works without JavaScript: the whole menu travels
with each button (move, remove, add), and nothing reaches readers until "Save the menu".
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock, db, fields, menus, queries
from ..menus import Item
from ..models import Menu, MenuItemKind, Term, TermKind
from ..sections.pages import pages_of
from ..sites import Site, registry

bp = Blueprint("menus", __name__)

# The most items a menu may hold: more than any reader could use.
MAX_ITEMS = 100


@bp.route("/menu/<site_key>", methods=["GET", "POST"])
def edit(site_key: str):
    """Order a site's pages in its automatic menu; list its menus per language."""
    site = _site(site_key)
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
        "admin/menu.html",
        site=site,
        pages=pages,
        errors=errors,
        form=request.form,
        edited=menus.stored_languages(session, site),
    ), (422 if errors else 200)


def _site(site_key: str) -> Site:
    site = registry().get(site_key)
    if site is None:
        abort(404)
    return site


@dataclass
class Row:
    """An item of the menu as the editor shows it: what it links to, and its label as typed."""

    kind: str
    target: str
    label: str = ""
    nested: bool = False


@dataclass
class Choices:
    """What a menu may link to on a site: its pages, the terms, its sections."""

    pages: dict[str, object]
    terms: dict[str, Term]
    sections: dict[str, object]

    @classmethod
    def of(cls, session, site: Site) -> Choices:
        terms = session.scalars(select(Term).order_by(Term.kind, Term.slug))
        return cls(
            pages={str(page.id): page for page in session.scalars(queries.site_pages(site.key))},
            terms={str(term.id): term for term in terms},
            sections={page.endpoint: page for page in pages_of(site)},
        )

    def knows(self, kind: str, target: str) -> bool:
        """Return whether an item of this kind may lead there."""
        return target in {
            MenuItemKind.PAGE: self.pages,
            MenuItemKind.TERM: self.terms,
            MenuItemKind.SECTION: self.sections,
        }.get(kind, ())


def _stored(session, site: Site, language: str) -> list[Row] | None:
    menu = session.scalar(select(Menu).where(Menu.site == site.key, Menu.language == language))
    if menu is None:
        return None
    return [
        Row(
            item.kind,
            str(item.post_id or item.term_id or item.section or item.url),
            item.label,
            item.nested,
        )
        for item in menu.items
    ]


def _automatic(session, site: Site, language: str) -> list[Row]:
    items = menus.automatic_items(session.connection(), site, language, clock.now())
    return [Row(item.kind, str(item.target), item.label, item.nested) for item in items]


def _rows_from(form) -> list[Row]:
    """Return the menu's rows as the form sent them (at most MAX_ITEMS)."""
    count = fields.parse_int(form.get("count", "0"), fields.Integer("", 0, MAX_ITEMS)) or 0
    return [
        Row(
            form.get(f"kind-{i}", ""),
            form.get(f"target-{i}", ""),
            form.get(f"label-{i}", ""),
            form.get(f"nested-{i}") == "1",
        )
        for i in range(count)
    ]


def _check(rows: list[Row], choices: Choices, errors: dict[str, str]) -> list[Item]:
    """Return the rows as items to store; note what is wrong with each in `errors`."""
    items = []
    for i, row in enumerate(rows):
        try:
            label = fields.text(fields.MENU_LABEL, row.label, f"label-{i}")
        except fields.FieldError as error:
            errors[f"label-{i}"] = str(error)
            continue
        if row.kind == MenuItemKind.LINK:
            try:
                url = link_address(row.target, f"target-{i}")
            except fields.FieldError as error:
                errors[f"target-{i}"] = str(error)
                continue
            if not label:
                errors[f"label-{i}"] = _("Give the link a label.")
                continue
            items.append(Item(row.kind, url, label, row.nested))
        elif choices.knows(row.kind, row.target):
            target = row.target if row.kind == MenuItemKind.SECTION else int(row.target)
            items.append(Item(row.kind, target, label, row.nested))
        else:
            errors[f"label-{i}"] = _("This item leads to something that no longer exists.")
    return items


def link_address(value: str, field: str) -> str:
    """Return an address a menu may link to: http(s)://… or a path of this site (/…)."""
    url = fields.text(fields.MENU_URL, value, field)
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    ok = (
        (scheme in ("http", "https") and url[len(scheme) :].startswith("://") and len(url) > 10)
        or (url.startswith("/") and not url.startswith("//"))
    ) and not any(c.isspace() or c in "\\<>\"'" for c in url)
    if not ok:
        raise fields.FieldError(
            field, _("Write an address starting with https://, http:// or / (a page of this site).")
        )
    return url


def _act(action: str, rows: list[Row], form, choices: Choices, errors: dict) -> str:
    """Apply a button of the editor to the rows; return what the page should say."""
    verb, _sep, raw = action.partition("-")
    index = fields.parse_int(raw, fields.Integer("", 0, MAX_ITEMS)) if raw else None
    if verb in ("up", "down", "remove") and (index is None or index >= len(rows)):
        return ""
    if verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index < len(rows) - 1:
        rows[index], rows[index + 1] = rows[index + 1], rows[index]
    elif verb == "remove":
        del rows[index]
    elif verb == "add":
        kind, _sep, target = form.get("add", "").partition(":")
        if not choices.knows(kind, target):
            errors["add"] = _("Choose what to add among the items offered.")
            return ""
        rows.append(Row(kind, target))
    elif verb == "link":
        url, label = form.get("link-url", ""), form.get("link-label", "")
        try:
            url = link_address(url, "link-url")
        except fields.FieldError as error:
            errors["link-url"] = str(error)
        if not label.strip():
            errors["link-label"] = _("Give the link a label.")
        if errors:
            return ""
        rows.append(Row(MenuItemKind.LINK, url, label))
    else:
        return ""
    if len(rows) > MAX_ITEMS:
        rows.pop()
        errors["add"] = _("A menu holds %(count)d items at most.", count=MAX_ITEMS)
    return _("Not saved yet: save the menu to show it to readers.")


@bp.route("/menu/<site_key>/<language>", methods=["GET", "POST"])
def edit_language(site_key: str, language: str):
    """Edit a site's menu in one language; nothing changes for readers until it is saved."""
    site = _site(site_key)
    if language not in site.languages:
        abort(404)
    session = db.session()
    choices = Choices.of(session, site)
    stored = _stored(session, site, language)
    rows = stored if stored is not None else _automatic(session, site, language)
    errors: dict[str, str] = {}
    pending = ""
    if request.method == "POST":
        action = request.form.get("action", "save")
        if action == "reset":
            menus.reset(session, site, language)
            session.commit()
            return redirect(
                url_for(".edit_language", site_key=site.key, language=language, reset=1)
            )
        rows = _rows_from(request.form)
        if action == "save":
            items = _check(rows, choices, errors)
            if not errors:
                menus.save(session, site, language, items)
                session.commit()
                return redirect(
                    url_for(".edit_language", site_key=site.key, language=language, saved=1)
                )
        else:
            pending = _act(action, rows, request.form, choices, errors)
    return render_template(
        "admin/menu_language.html",
        site=site,
        language=language,
        rows=rows,
        choices=choices,
        stored=stored is not None,
        errors=errors,
        pending=pending,
        form=request.form,
        TermKind=TermKind,
        Kind=MenuItemKind,
    ), (422 if errors else 200)
