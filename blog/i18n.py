"""Flask-Babel's set-up, the `lang` URL converter, and the names of languages.

Which language a request's interface speaks is not decided here: the factory passes the
selector (routing.interface_language: the desk's language on the desk, else the reading's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime

from babel import Locale
from flask import Flask, current_app, g
from flask_babel import Babel, format_date, get_locale, get_translations
from werkzeug.routing import BaseConverter

from . import rendering


def init_app(app: Flask, locale_selector: Callable[[], str]) -> None:
    """Set up Flask-Babel, asking `locale_selector` for each request's interface language."""
    # translations/ sits beside the package (the agreed layout), so point Babel at it.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", app.config["TRANSLATIONS_DIR"])
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=locale_selector)
    # Templates find each string's catalog through interface_catalog(), not through Flask-Babel's
    # own lookup (a dozen context lookups per string, a page has dozens of strings).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: interface_catalog().ugettext(s),
        ngettext=lambda s, p, n: interface_catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: interface_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: interface_catalog().unpgettext(c, s, p, n),
    )
    # `_` and `gettext` called straight: Jinja's own pair adds two indirect calls to each of
    # the dozens of strings a page shows (an alias that looks `gettext` up, then the catalog).
    gettext = rendering.template_gettext(interface_catalog)
    app.jinja_env.globals.update(_=gettext, gettext=gettext)
    app.jinja_env.filters["dateformat"] = date_format
    app.url_map.converters["lang"] = language_converter(app.extensions["sites"].languages)
    app.jinja_env.globals.update(language_name=language_name, autonym=autonym)


def interface_catalog():
    """Return the catalog of the request's interface language, found once per request.

    Kept with the locale it was found for, as Flask-Babel's request state holds it: under
    force_locale (a mail in its reader's language) that is another object, and the catalog
    is found again; without that state (another Flask-Babel), it is found every time.
    """
    kept = g.get("interface_catalog")
    if kept is not None:
        state, locale, catalog = kept
        if getattr(state, "babel_locale", None) is locale:
            return catalog
    locale, catalog = get_locale(), get_translations()
    state = g.get("_flask_babel")
    if locale is not None and state is not None:
        g.interface_catalog = (state, locale, catalog)
    return catalog


# Dates formatted and kept per app, forgotten all at once beyond this many.
MAX_FORMATTED_DATES = 20_000


def date_format(value: date | None, format: str | None = None) -> str:
    """The `dateformat` filter: Flask-Babel's format_date, each day formatted once per app in
    each language and format (a listing dates every post it shows, a feed every entry)."""
    if value is None:  # "today": never kept
        return format_date(value, format)
    day = value.date() if isinstance(value, datetime) else value
    key = (day, format, str(get_locale()))
    known = current_app.extensions.setdefault("formatted_dates", {})
    found = known.get(key)
    if found is None:
        # Flask-Babel formats the date part of a datetime, in no time zone: the day is all.
        found = format_date(value, format)
        if len(known) >= MAX_FORMATTED_DATES:
            known.clear()
        known[key] = found
    return found


def language_name(code: str, in_language: str | None = None) -> str:
    """Return the name of language `code` in `in_language` (the page's by default)."""
    return _language_name(code, in_language or str(get_locale() or "en"))


# Names of languages are read once per process: a page names several (its switcher, its
# notices, its badges) and Babel parses a locale each time it is asked.
@functools.lru_cache(maxsize=1024)
def _language_name(code: str, in_language: str) -> str:
    return Locale.parse(in_language).languages.get(code, code)


@functools.lru_cache(maxsize=256)
def autonym(code: str) -> str:
    """Return a language's name in itself, capitalised for menus ("Français", "English")."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_converter(languages: list[str]) -> type[BaseConverter]:
    """Return a URL converter that matches exactly the configured language codes."""

    class LanguageConverter(BaseConverter):
        regex = "|".join(sorted(languages, key=len, reverse=True)) or "(?!)"

    return LanguageConverter
