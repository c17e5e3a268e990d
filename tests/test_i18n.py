"""Interface catalogs: complete in every language, compiled, and covering the code."""

import re
import subprocess
import sys
from datetime import UTC, datetime
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, format_date

from blog.i18n import language_name

ROOT = Path(__file__).parents[1]
LANGUAGES = ["fr", "en", "it"]


def catalog(language):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def forms(message) -> list[str]:
    """Return every msgstr of a message (one, or one per plural form)."""
    return list(message.string) if message.pluralizable else [message.string]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    missing = [m.id for m in catalog(language) if m.id and not all(forms(m))]
    assert missing == []
    fuzzy = [m.id for m in catalog(language) if m.id and m.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language):
    for message in catalog(language):
        if message.id:
            source = message.id[-1] if message.pluralizable else message.id
            names = set(re.findall(r"%\((\w+)\)", source))
            for text in forms(message):
                assert set(re.findall(r"%\((\w+)\)", text)) == names, message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_source(language):
    directory = ROOT / "translations" / language / "LC_MESSAGES"
    with (directory / "messages.mo").open("rb") as f:
        compiled = GNUTranslations(f)
    stale = "messages.mo is stale: run flask --app app translate compile"
    for message in catalog(language):
        if message.pluralizable:
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 1) == message.string[0], stale
        elif message.id:
            assert compiled.gettext(message.id) == message.string, stale


def test_every_marked_string_is_in_the_catalogs(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
         str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), str(ROOT)],
        check=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        marked = {m.id for m in read_po(f) if m.id}
    for language in LANGUAGES:
        known = {m.id for m in catalog(language) if m.id}
        assert marked - known == set(), f"run flask --app app translate update ({language})"


def test_templates_follow_a_forced_locale_within_one_request(app):
    """The templates' catalog is found once per request, and found again under force_locale
    (a mail written in its reader's language while the page speaks another)."""
    with app.test_request_context("/en/", base_url="http://blog.localhost"):
        app.preprocess_request()
        assert render_template_string("{{ _('Search') }}") == "Search"
        with force_locale("fr"):
            assert render_template_string("{{ _('Search') }}") == "Recherche"
        assert render_template_string("{{ _('Search') }}") == "Search"


def test_dates_and_language_names_are_kept_per_language(app):
    """Dates and names of languages are worked out once and kept: each kept answer is the one
    Babel gives, in the language of the moment (a forced one included)."""
    moments = [datetime(2024, 2, 29, 23, 59, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, tzinfo=UTC)]
    with app.test_request_context("/en/", base_url="http://blog.localhost"):
        app.preprocess_request()
        for language in ("en", "fr", "it"):
            with force_locale(language):
                for moment in moments:
                    for form in ("medium", "long", "MMMM y", None):
                        expected = format_date(moment, form)
                        for _ in range(2):
                            page = render_template_string(
                                "{{ moment|dateformat(form) }}", moment=moment, form=form
                            )
                            assert page == expected, (language, moment, form)
                assert language_name("de") == Locale.parse(language).languages["de"]
        assert format_date(moments[1], "long") == "January 1, 2026"
        with force_locale("fr"):
            assert render_template_string("{{ language_name('en') }}") == "anglais"
        assert language_name("en", "it") == "inglese"
