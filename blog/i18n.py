"""Flask-Babel's set-up, the `lang` URL converter, and the names of languages.

Which language a request's interface speaks is not decided here: the factory passes the
selector (routing.interface_language: the desk's language on the desk, else the reading's).
"""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale
from flask import Flask
from flask_babel import Babel, get_locale
from werkzeug.routing import BaseConverter


def init_app(app: Flask, locale_selector: Callable[[], str]) -> None:
    """Set up Flask-Babel, asking `locale_selector` for each request's interface language."""
    # translations/ sits beside the package (the agreed layout), so point Babel at it.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", app.config["TRANSLATIONS_DIR"])
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=locale_selector)
    app.url_map.converters["lang"] = language_converter(app.extensions["sites"].languages)
    app.jinja_env.globals.update(language_name=language_name, autonym=autonym)


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
