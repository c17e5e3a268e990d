"""Follow by email in a real browser, without JavaScript: the footer's link, the form, the
confirmation message sent by the web process's sender thread, the confirmation page; axe-core
on the form. The pages are photographed (into the test's folder)."""

from __future__ import annotations

import email
import re
import time

import pytest

from blog import sender
from tools.livesite import serve

from .helpers import SITES_FILE, axe_failures, smtp_server

pytestmark = [pytest.mark.slow, pytest.mark.once]  # a real browser


@pytest.fixture(scope="module")
def mailing_site(tmp_path_factory):
    with (
        smtp_server() as smtp,
        serve(tmp_path_factory.mktemp("live"), sites_file=SITES_FILE) as site,
    ):
        # The sender is the thread the web process starts (MAIL_SENDER's default).
        port = smtp.server_address[1]
        site.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, COMMENTS_MIN_SECONDS=0)
        try:
            yield site, smtp
        finally:
            sender.stop(site.app)


def test_a_reader_subscribes_and_confirms_without_javascript(browser, mailing_site, tmp_path):
    site, smtp = mailing_site
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(site.url("blog", "/fr/"))
        page.click("footer >> text=par e-mail")
        page.fill("#subscribe-email", "lea@example.org")
        page.select_option("#subscribe-language", "fr")
        page.screenshot(path=str(tmp_path / "subscribe-form.png"), full_page=True)
        page.click("text=S’abonner")
        assert "un message avec un lien de confirmation" in page.inner_text("main")
        for _ in range(200):  # the thread sends it as soon as the request committed it
            if smtp.messages:
                break
            time.sleep(0.05)
        message = email.message_from_string(smtp.messages[0])
        body = message.get_payload(decode=True).decode()
        link = re.search(r"(http://\S+/subscribe/confirm/[\w.]+)", body).group(1)
        page.goto(link)
        page.screenshot(path=str(tmp_path / "subscribe-confirm.png"), full_page=True)
        page.click("text=Confirmer mon abonnement")
        assert "lea@example.org recevra les nouveaux articles" in page.inner_text("main")
        page.screenshot(path=str(tmp_path / "subscribe-confirmed.png"), full_page=True)
    finally:
        context.close()


def test_the_subscribe_form_has_no_accessibility_violation(browser, mailing_site):
    site, _smtp = mailing_site
    context = browser.new_context(bypass_csp=True)  # axe-core runs as a script
    page = context.new_page()
    try:
        page.goto(site.url("blog", "/en/subscribe"))
        page.fill("#subscribe-email", "not an address")
        page.click("text=Subscribe")  # refused: the error and the form come back
        assert page.locator(".form-errors").count() == 1
        assert axe_failures(page) == []
    finally:
        context.close()
