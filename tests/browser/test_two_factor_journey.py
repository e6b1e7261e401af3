"""A support manager signs in, is sent to set up two-factor sign-in, scans (reads) the key, turns
it on, and signs in again with a code computed here from that key (issue 17, done-when 4)."""

from __future__ import annotations

import base64
import time

import pytest
from django_otp.oath import TOTP

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_a_manager_sets_up_two_factor_and_signs_in_with_a_code(browser, live_server):
    manager = factories.staff(levels=(), manager=True, name="Geneviève Gestion")
    base = live_server.url
    # A phone-sized screen: the set-up page must fit it.
    page = browser.new_context(locale="fr-CA", viewport={"width": 390, "height": 844}).new_page()

    sign_in(page, base, manager.username)
    page.wait_for_url(f"{base}/console/securite/")
    assert "exige la connexion à deux facteurs" in page.inner_text("main")
    page.goto(f"{base}/console/")
    assert page.url == f"{base}/console/securite/"

    page.click("button[value=start]")
    page.wait_for_selector(".qr svg")
    secret = page.inner_text("code.secret").strip()
    assert page.inner_text("code.otpauth").startswith("otpauth://totp/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.fill("input[name=code]", _code(secret))
    page.click("button[value=confirm]")
    page.wait_for_selector(".recovery-codes")
    assert len(page.query_selector_all(".recovery-codes li")) == 10
    page.goto(f"{base}/console/")
    assert page.url == f"{base}/console/"

    page.click("text=Se déconnecter")
    page.wait_for_url(f"{base}/connexion/")
    sign_in(page, base, manager.username)
    page.wait_for_url(f"{base}/connexion/code/")
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "erroné" in page.inner_text("main")
    # The code of the step already used cannot serve twice: the phone's next one does.
    page.fill("input[name=code]", _code(secret, steps_ahead=1))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")
