"""Flask-Babel's set-up, the `lang` URL converter, and the names of languages.

Which language a request's interface speaks is not decided here: the factory passes the
selector (routing.interface_language: the desk's language on the desk, else the reading's).
"""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale
from flask import Flask, g
from flask_babel import Babel, get_locale, get_translations
from werkzeug.routing import BaseConverter


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


def language_name(code: str, in_language: str | None = None) -> str:
    """Return the name of language `code` in `in_language` (the page's by default)."""
    locale = Locale.parse(in_language) if in_language else (get_locale() or Locale("en"))
    return locale.languages.get(code, code)


def autonym(code: str) -> str:
    """Return a language's name in itself, capitalised for menus ("Français", "English")."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_converter(languages: list[str]) -> type[BaseConverter]:
    """Return a URL converter that matches exactly the configured language codes."""

    class LanguageConverter(BaseConverter):
        regex = "|".join(sorted(languages, key=len, reverse=True)) or "(?!)"

    return LanguageConverter
