"""The language of a request, language names, and the translations of a post."""

from __future__ import annotations

from babel import Locale
from flask import Flask, current_app, g, request
from flask_babel import Babel, get_locale
from werkzeug.routing import BaseConverter

from .sites import Site


def init_app(app: Flask) -> None:
    """Set up Flask-Babel so the interface language always follows the page's language."""
    # translations/ sits beside the package (the agreed layout), so point Babel at it.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", app.config["TRANSLATIONS_DIR"])
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=page_language)
    app.url_map.converters["lang"] = language_converter(app.extensions["sites"].languages)
    app.jinja_env.globals.update(language_name=language_name, autonym=autonym)


def page_language() -> str:
    """Return the language of the current page: from its URL, else its site's default."""
    if "lang" in g:
        return g.lang
    site = g.get("site")
    return site.default_language if site else current_app.config["BABEL_DEFAULT_LOCALE"]


def negotiate(site: Site) -> str:
    """Choose a reader's language on `site`: their earlier choice, their browser, the default."""
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen and site.accepts(chosen):
        return chosen
    best = request.accept_languages.best_match(site.languages)
    return best or site.default_language


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
