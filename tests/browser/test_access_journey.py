"""Getting in, as a new client would: a contact created through the API gets an invitation,
chooses a password and reaches the portal; later it forgets the password and resets it."""

from __future__ import annotations

import pytest

from soutien.accounts.models import User
from tests import factories
from tests.accounts.outbox import latest_email, link_in
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CHOSEN = "Tremplin-Boréal-2026"
RESET = "Nouvelle-Saison-2027"


def _choose(page, password: str) -> None:
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("#choose-password button[type=submit]")
    page.wait_for_load_state()


def test_a_contact_created_through_the_api_is_invited_and_signs_in(browser, live_server, api_as):
    manager = factories.staff(levels=(), manager=True)
    org = factories.organization("Éditions Boréal")
    created = api_as(manager).post(
        f"organizations/{org.pk}/contacts",
        {"email": "luc@boreal.example", "name": "Luc Bouchard", "invite": True},
    )
    assert created.status_code == 201, created.content
    base = live_server.url
    path = link_in(latest_email("luc@boreal.example", "invitation"))

    page = browser.new_context(locale="fr-CA").new_page()
    page.goto(f"{base}{path}")
    assert "Choisissez votre mot de passe" in page.inner_text("h1")
    # A weak password first: the validators' reasons, in French, and nothing is set.
    _choose(page, "12345678")
    assert "trop courant" in page.inner_text("#choose-password")
    _choose(page, CHOSEN)
    page.wait_for_url(f"{base}/portail/")
    assert "Luc Bouchard" in page.inner_text(".who")

    # Signed out, the chosen password opens the portal again; the link no longer works.
    page.click("header form[action$='/deconnexion/'] button")
    page.wait_for_url(f"{base}/connexion/")
    page.fill("input[name=username]", "luc@boreal.example")
    page.fill("input[name=password]", CHOSEN)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/portail/")
    page.goto(f"{base}{path}")
    assert "Ce lien ne fonctionne plus" in page.inner_text("h1")


def test_a_client_who_forgot_the_password_resets_it(browser, live_server):
    org = factories.organization("Ville de Saint-Laurent")
    contact = factories.contact(org, name="Marc Gagnon", language="en")
    base = live_server.url

    page = browser.new_context(locale="en-CA").new_page()
    page.goto(f"{base}/connexion/")
    page.click("text=Forgot your password?")
    page.fill("input[name=email]", contact.email.upper())
    page.click("#password-reset button[type=submit]")
    page.wait_for_selector("#password-reset-sent")
    # An unknown address gets the very same answer.
    page.goto(f"{base}/mot-de-passe/oublie/")
    page.fill("input[name=email]", "nobody@nowhere.example")
    page.click("#password-reset button[type=submit]")
    page.wait_for_selector("#password-reset-sent")

    email = latest_email(contact.email, "password_reset")
    assert "Reset your password" in email.subject
    page.goto(f"{base}{link_in(email)}")
    assert "Choose a new password" in page.inner_text("h1")
    _choose(page, RESET)
    page.wait_for_url(f"{base}/portail/")
    assert "Marc Gagnon" in page.inner_text(".who")
    assert User.objects.get(pk=contact.pk).check_password(RESET)


def test_a_client_admin_invites_a_colleague_from_a_phone(browser, live_server):
    org = factories.organization("Ville de Saint-Laurent")
    admin = factories.client_admin(org, name="Julie Tremblay")
    base = live_server.url
    page = browser.new_context(locale="fr-CA", viewport={"width": 390, "height": 800}).new_page()
    sign_in(page, base, admin.username)
    page.goto(f"{base}/portail/contacts/")
    page.fill("#add-contact input[name=name]", "Émilie Roy")
    page.fill("#add-contact input[name=email]", "emilie@ville.example")
    page.click("#add-contact button")
    page.wait_for_selector(".flash")
    assert "Émilie Roy" in page.inner_text("#contacts")
    assert "Invité" in page.inner_text("#contacts")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert latest_email("emilie@ville.example", "invitation").text
