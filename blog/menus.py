"""Each site's menu per language: the automatic one, or the one edited in the desk.

The automatic menu lists the site's pages readers can see in a language, in menu order
(each under its parent page), then the book site's sections. An edited menu (a `menu` row
for a site and a language) replaces it with the items an editor chose — a page, a term, a
section, another address — in their order, each with a label of its own or the name of
what it links to in the menu's language.

Public pages read an edited menu without a statement of their own: every worker keeps the
menus as they were at the store's version it last saw (like the sites' texts,
sitesettings.py), and reads them again when the version moves (any write of a menu moves
it, rules.py). Only which pages are visible depends on the time: that is one statement per
page rendered, and only for a menu that links pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, g
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session, aliased

from . import entries, pagetree, queries
from .entries import COLUMNS, Entry, Name, TermEntry
from .models import Menu, MenuItem, MenuItemKind, Post, StoreState, Term
from .sections.pages import pages_of
from .sites import Site
from .urls import post_path, site_path
from .visibility import NOW, Bound, built, on_site


@dataclass(frozen=True)
class Item:
    """An item of an edited menu, as the store keeps it (what it links to, not how)."""

    kind: str
    # The page's or the term's id, the section's endpoint, or the address.
    target: int | str
    label: str = ""
    nested: bool = False
    term: TermEntry | None = None


@dataclass
class MenuLink:
    """A link of the menu as a page shows it."""

    label: str
    href: str
    # The language of the label, and of what it leads to, when they are the page's own: None.
    lang: str | None = None
    hreflang: str | None = None
    children: list[MenuLink] = field(default_factory=list)


def _items(menu: Menu, terms: dict[int, TermEntry]) -> list[Item]:
    found = []
    for row in menu.items:
        target = {
            MenuItemKind.PAGE: row.post_id,
            MenuItemKind.TERM: row.term_id,
            MenuItemKind.SECTION: row.section,
            MenuItemKind.LINK: row.url,
        }[row.kind]
        found.append(Item(row.kind, target, row.label, row.nested, terms.get(row.term_id)))
    return found


def load(session: Session) -> dict[tuple[str, str], list[Item]]:
    """Return every edited menu by (site, language), its terms with their names."""
    menus = list(session.scalars(select(Menu)))
    term_ids = {item.term_id for menu in menus for item in menu.items if item.term_id}
    terms = {}
    if term_ids:
        for term in session.scalars(select(Term).where(Term.id.in_(term_ids))):
            names = [Name(n.language, n.name) for n in term.names]
            terms[term.id] = TermEntry(term.id, term.kind, term.slug, term.parent_id, names)
    return {(menu.site, menu.language): _items(menu, terms) for menu in menus}


def edited(session: Session, site: Site, language: str) -> list[Item] | None:
    """Return the edited menu of a site in a language, None where the menu is automatic.

    Read from this worker's copy, taken again when the store's version moved since.
    """
    extensions = current_app.extensions
    moment = g.get("store_moment")
    if moment is None:
        moment = session.execute(select(StoreState.version, StoreState.changed_at)).first()
    # The version starts again at 1 in an emptied store (a restore): the time says which.
    version = tuple(moment[:2]) if moment else (0, None)
    kept = extensions.get("menus")
    if kept is None or kept[0] != version:
        kept = extensions["menus"] = (version, load(session))
    return kept[1].get((site.key, language))


def _visible_pages(site: Site):
    """Build: the visible pages of the translation groups of these pages, each row with the
    id of the page chosen (entries.COLUMNS, then that id)."""
    chosen = aliased(Post)

    def build():
        return (
            select(*COLUMNS, chosen.id)
            .join(chosen, chosen.translation_key == Post.translation_key)
            .where(chosen.id.in_(bindparam("ids", expanding=True)), on_site(site, NOW))
        )

    return built(site, "menu-pages", build)


def links(
    connection: Connection, site: Site, language: str, items: list[Item], now: datetime
) -> tuple[list[MenuLink], list[Entry]]:
    """Return an edited menu as links (nested ones under theirs), and the pages it shows.

    A page is shown in its version in the menu's language when that one is visible, else as
    chosen when it is visible itself; otherwise it is left out (a draft, a page in the trash).
    """
    ids = sorted({item.target for item in items if item.kind == MenuItemKind.PAGE})
    versions: dict[int, dict[str, Entry]] = {}
    if ids:
        rows = Bound(_visible_pages(site), {"ids": ids, "now": now}).run(connection)
        for *columns, chosen_id in rows:
            entry = Entry(*columns)
            versions.setdefault(chosen_id, {})[entry.language] = entry
    sections = {page.endpoint: page for page in pages_of(site)}
    top: list[MenuLink] = []
    pages: list[Entry] = []
    for item in items:
        link = None
        if item.kind == MenuItemKind.PAGE:
            found = versions.get(item.target, {})
            page = found.get(language) or next(
                (v for v in found.values() if v.id == item.target), None
            )
            if page is not None:
                pages.append(page)
                own = page.language == language or bool(item.label)
                link = MenuLink(
                    item.label or page.title,
                    post_path(page, site, language),
                    lang=None if own else page.language,
                    hreflang=None if page.language == language else page.language,
                )
        elif item.kind == MenuItemKind.TERM and item.term is not None:
            term = item.term
            href = site_path(site, f"public.{term.kind}", language, slug=term.slug)
            link = MenuLink(item.label or term.name(language), href)
        elif item.kind == MenuItemKind.SECTION and item.target in sections:
            section = sections[item.target]
            href = site_path(site, section.endpoint, language)
            link = MenuLink(item.label or str(section.label), href)
        elif item.kind == MenuItemKind.LINK:
            link = MenuLink(item.label or str(item.target), str(item.target))
        if link is None:
            continue
        if item.nested and top:
            top[-1].children.append(link)
        else:
            top.append(link)
    return top, pages


def automatic(connection: Connection, site: Site, language: str, now: datetime):
    """Return the automatic menu: the visible pages in menu order (a tree), then the sections."""
    pages = entries.fetch(connection, queries.menu_pages(site, language, now))
    return pages, pagetree.nest(pages)


def automatic_items(connection: Connection, site: Site, language: str, now: datetime) -> list[Item]:
    """Return the automatic menu as items: where an editor starts from."""
    _pages, tree = automatic(connection, site, language, now)
    items = []

    def walk(nodes, nested):
        for node in nodes:
            items.append(Item(MenuItemKind.PAGE, node.page.id, nested=nested))
            walk(node.children, True)

    walk(tree, False)
    items += [Item(MenuItemKind.SECTION, page.endpoint) for page in pages_of(site)]
    return items


def save(session: Session, site: Site, language: str, items: list[Item]) -> None:
    """Store the menu of a site in a language: it replaces the automatic one."""
    menu = session.scalar(select(Menu).where(Menu.site == site.key, Menu.language == language))
    if menu is None:
        menu = Menu(site=site.key, language=language)
        session.add(menu)
    else:
        # Positions are unique: the old rows go before the new ones take their places.
        menu.items.clear()
        session.flush()
    for position, item in enumerate(items, start=1):
        row = MenuItem(position=position, kind=item.kind, label=item.label, nested=item.nested)
        if item.kind == MenuItemKind.PAGE:
            row.post_id = item.target
        elif item.kind == MenuItemKind.TERM:
            row.term_id = item.target
        elif item.kind == MenuItemKind.SECTION:
            row.section = item.target
        else:
            row.url = item.target
        menu.items.append(row)


def reset(session: Session, site: Site, language: str) -> None:
    """Give a site's menu in a language back to the automatic one."""
    menu = session.scalar(select(Menu).where(Menu.site == site.key, Menu.language == language))
    if menu is not None:
        session.delete(menu)


def stored_languages(session: Session, site: Site) -> set[str]:
    """Return the languages in which a site's menu is edited."""
    return set(session.scalars(select(Menu.language).where(Menu.site == site.key)))
