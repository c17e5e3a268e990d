"""The sites' texts (title, tagline, description per language) as edited in the desk.

The sites file stays the source of hosts, languages and policies, and gives each text its
first value; an administrator's edit is a row of site_setting that overrides it. Every worker
applies the rows to its own copy of the sites (the registry) when the store's version moves:
public requests learn the version from their stamp (caching.py), desk requests ask for it.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import SiteSetting, StoreState
from .sites import SiteRegistry, registry

NAMES = ("title", "tagline", "description")


def _file_values(sites: SiteRegistry) -> dict:
    """Return the texts of the sites file, copied once before any override touches them."""
    kept = current_app.extensions.get("site_texts")
    if kept is None:
        kept = {(site.key, name): dict(getattr(site, name)) for site in sites for name in NAMES}
        current_app.extensions["site_texts"] = kept
    return kept


def apply(sites: SiteRegistry, rows) -> None:
    """Make each site's texts the file's, overridden by these (site, language, name, value)."""
    file_values = _file_values(sites)
    for site in sites:
        for name in NAMES:
            texts = getattr(site, name)
            texts.clear()
            texts.update(file_values[(site.key, name)])
    for row in rows:
        site = sites.get(row.site)
        if site is not None and row.name in NAMES and row.language in site.languages:
            getattr(site, row.name)[row.language] = row.value


def follow(session: Session, version: int) -> None:
    """Apply the stored texts if the store changed since this worker last did."""
    extensions = current_app.extensions
    if extensions.get("site_texts_version") == version:
        return
    apply(registry(), session.scalars(select(SiteSetting)))
    extensions["site_texts_version"] = version


def refresh(session: Session) -> None:
    """Follow the store's current version (one small statement)."""
    follow(session, session.scalar(select(StoreState.version)) or 0)


def save(session: Session, site_key: str, values: dict[tuple[str, str], str]) -> None:
    """Store a site's texts by (language, name); an empty one goes back to the file's."""
    file_values = _file_values(registry())
    for (language, name), value in values.items():
        row = session.get(SiteSetting, (site_key, language, name))
        value = value.strip()
        if not value or value == file_values[(site_key, name)].get(language, ""):
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(SiteSetting(site=site_key, language=language, name=name, value=value))
        else:
            row.value = value
