"""The readers' forms in a real browser: refused then sent without JavaScript; each page, a
refusal shown, checked by axe-core (light and dark; axe itself needs JavaScript)."""

from __future__ import annotations

import pytest

from blog.readerforms.models import FormState, SignupForm
from tools.livesite import serve

from .helpers import SITES_FILE, axe_failures

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser


@pytest.fixture(scope="module")
def forms_site(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("live"), sites_file=SITES_FILE) as site:
        with site.app.app_context(), site.app.extensions["db"]["sessionmaker"]() as session:
            signup = SignupForm(slug="atelier", site="book", title="Atelier d'archives",
                                capacity=1, state=FormState.OPEN)  # fmt: skip
            signup.set_description("Deux heures **aux archives**.", "fr")
            session.add(signup)
            session.commit()
        site.app.config.update(COMMENTS_MIN_SECONDS=0)  # a browser cannot wait without sleeping
        yield site


def no_violation(page) -> None:
    assert axe_failures(page) == []


def test_a_reader_writes_and_registers_without_javascript(browser, forms_site):
    context = browser.new_context(java_script_enabled=False, bypass_csp=True, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(forms_site.url("book", "/contact/"))
        page.fill("#contact-name", "Agnès")
        page.fill("#contact-email", "agnes@example.org")
        page.fill("#contact-message", "Une question sur le chapitre 3.")
        page.click("text=Envoyer le message")  # the consent box left empty: refused
        assert "cocher la case" in page.locator(".form-errors").inner_text()
        assert page.input_value("#contact-message") == "Une question sur le chapitre 3."
        page.check("#contact-consent")
        page.click("text=Envoyer le message")
        assert "votre message est envoyé" in page.locator("#contact-sent").inner_text()

        page.goto(forms_site.url("book", "/inscription/atelier/"))
        assert "1 place restante." in page.locator(".seats").inner_text()
        page.fill("#signup-name", "Hugo")
        page.fill("#signup-email", "hugo@example.org")
        page.check("#signup-consent")
        page.click("#signup-form button[type=submit]")
        assert "Votre place est confirmée." in page.locator("#registered").inner_text()
        assert "liste d’attente" in page.locator(".seats").inner_text()
    finally:
        context.close()
    context = browser.new_context(bypass_csp=True, locale="fr-FR")
    page = context.new_page()
    try:
        for path, button in (("/contact/", "#contact-form"), ("/inscription/atelier/", "#signup")):
            page.goto(forms_site.url("book", path))
            page.click(f"{button} button[type=submit]")  # refused: the reasons come back
            assert page.locator(".form-errors").count() == 1
            no_violation(page)
    finally:
        context.close()
