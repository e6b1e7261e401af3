"""A client files a request in the portal; a technician triages it and finds it in the level queue."""

from __future__ import annotations

import pytest

from soutien.ticketing.models import Ticket
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_client_files_a_request_and_a_technician_finds_it_after_triage(browser, live_server):
    org = factories.organization("Ville de Saint-Laurent")
    client_user = factories.contact(org, name="Marc Gagnon")
    technician = factories.staff(levels=(2,), name="Tina Second")
    base = live_server.url

    client_page = browser.new_context(locale="fr-CA").new_page()
    sign_in(client_page, base, client_user.username)
    client_page.wait_for_url(f"{base}/portail/")
    client_page.click("text=Nouvelle demande")
    client_page.fill("input[name=subject]", "Les nouvelles ne s'affichent pas")
    client_page.fill("textarea[name=body]", "Le protocole de publication a été suivi.")
    client_page.click("#new-request button[type=submit]")
    client_page.wait_for_selector("h1 .number")
    ticket = Ticket.objects.get()
    assert f"#{ticket.number}" in client_page.inner_text("h1")
    assert ticket.contact == client_user

    tech_page = browser.new_context(locale="fr-CA").new_page()
    sign_in(tech_page, base, technician.username)
    tech_page.wait_for_url(f"{base}/console/")
    assert "Les nouvelles ne s'affichent pas" in tech_page.inner_text("#queue-table")
    tech_page.click("text=Les nouvelles ne s'affichent pas")
    tech_page.select_option("select[name=level]", "2")
    tech_page.click("form[action$='/level/'] button")
    tech_page.wait_for_selector(".flash")
    tech_page.goto(f"{base}/console/?queue=2")
    assert "Les nouvelles ne s'affichent pas" in tech_page.inner_text("#queue-table")
    tech_page.goto(f"{base}/console/?queue=triage")
    assert "Les nouvelles ne s'affichent pas" not in tech_page.inner_text("main")

    client_page.reload()
    assert "Tina Second" in client_page.inner_text("main")
