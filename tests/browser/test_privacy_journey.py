"""Law 25 in a browser: a manager on a phone sets a retention rule, runs a dry run, records an
incident and exports a client's information; the client downloads their own from the portal."""

from __future__ import annotations

import pytest

from soutien.accounts.models import LoginFailure
from soutien.privacy.models import AccessEntry, Export, Incident, RetentionRule, RetentionRun
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_manager_keeps_the_law_25_duties_from_a_phone(browser, live_server):
    org = factories.organization("Ville de Saint-Laurent")
    marc = factories.contact(org, name="Marc Gagnon")
    manager = factories.staff(levels=(), manager=True, name="Geneviève Gestion")
    # A manager signs in with a second factor (test_two_factor_journey.py); this test is about
    # Law 25, so its manager signs in as the demo's do.
    manager.second_factor_exempt = True
    manager.save(update_fields=["second_factor_exempt"])
    LoginFailure.objects.create(username="marc", address="192.0.2.1")
    LoginFailure.objects.filter(username="marc").update(at="2020-01-01T00:00:00Z")
    base = live_server.url

    page = browser.new_context(locale="fr-CA", viewport=PHONE).new_page()
    sign_in(page, base, manager.username)
    page.goto(f"{base}/console/confidentialite/")
    assert _fits(page)
    row = page.locator("tr", has=page.locator("input[name=kind][value=sign_in_log]"))
    row.locator("input[name='sign_in_log-days']").fill("90")
    row.locator("button").click()
    page.wait_for_load_state()
    assert RetentionRule.objects.get().days == 90
    page.get_by_role("button", name="Simulation (ne change rien)").click()
    page.wait_for_load_state()
    assert "sign_in_log: 1" in page.inner_text("main")
    assert RetentionRun.objects.get().dry_run
    assert LoginFailure.objects.count() == 1

    page.goto(f"{base}/console/confidentialite/incidents/nouveau/")
    assert _fits(page)
    page.fill("input[name=occurred_on]", "2026-10-02")
    page.fill("input[name=discovered_on]", "2026-10-03")
    page.fill("textarea[name=nature]", "Relevé envoyé au mauvais client")
    page.fill("textarea[name=information]", "Nom, heures")
    page.fill("textarea[name=people]", "Un contact")
    page.select_option("select[name=risk]", "low")
    page.locator("form.card button.primary").click()
    page.wait_for_url(f"{base}/console/confidentialite/incidents/")
    assert "Relevé envoyé au mauvais client" in page.inner_text("main")
    assert Incident.objects.count() == 1

    page.goto(f"{base}/console/personnes/{marc.pk}/")
    assert _fits(page)
    page.get_by_role("button", name="Exporter les renseignements de cette personne").click()
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").first.click()
    assert download.value.suggested_filename.endswith(".zip")
    assert Export.objects.get().delivered_at is not None
    assert AccessEntry.objects.filter(person=marc, viewer=manager).exists()

    phone = browser.new_context(locale="fr-CA", viewport=PHONE).new_page()
    sign_in(phone, base, marc.username)
    phone.goto(f"{base}/portail/mes-renseignements/")
    assert _fits(phone)
    phone.get_by_role("button", name="Préparer mon fichier").click()
    phone.wait_for_load_state()
    with phone.expect_download() as mine:
        phone.get_by_role("link", name="Télécharger").first.click()
    assert mine.value.suggested_filename.endswith(".zip")
    assert Export.objects.filter(person=marc, requested_by=marc).count() == 1
