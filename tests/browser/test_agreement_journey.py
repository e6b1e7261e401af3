"""A level-3 development agreement from draft to confirmed delivery, through the console and the
portal (the client on a 390-px-wide phone)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from soutien.agreements.models import Agreement, State
from soutien.ticketing.models import Ticket
from soutien.ticketing.services import ticket_set_level
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _step(page, label: str) -> None:
    """Press a step's button and wait for the page that says it is done."""
    page.click(f"button:has-text('{label}')")
    page.wait_for_selector(".flash li.success")


def test_drafted_approved_accepted_promised_delivered_and_confirmed(browser, live_server):
    org = factories.organization("Ville de Saint-Laurent")
    julie = factories.client_admin(org, name="Julie Tremblay")
    manager = factories.staff(levels=(), manager=True, name="Geneviève Gestion")
    technician = factories.staff(levels=(3,), name="Thomas Troisième")
    lead = factories.staff(levels=(), development_lead=True, name="Diane Développement")
    ticket = factories.ticket(contact=julie, subject="Profils sécurisés désynchronisés")
    ticket_set_level(actor=manager, ticket=ticket, level=3)
    today = timezone.localdate()
    delivery = today + timedelta(days=30)
    base = live_server.url

    tech = browser.new_context(locale="fr-CA").new_page()
    sign_in(tech, base, technician.username)
    tech.goto(f"{base}/console/demandes/{ticket.pk}/")
    tech.click("text=Rédiger une entente de développement")
    tech.fill("textarea[name=solution]", "Réécrire la **synchronisation** des profils.")
    tech.fill("input[name=estimate_hours]", "20")
    tech.fill("input[name=delivery_on]", delivery.isoformat())
    tech.fill("input[name=m-0-title]", "Analyse du module")
    tech.fill("input[name=m-0-due_on]", (today + timedelta(days=10)).isoformat())
    tech.click("button:has-text('Rédiger le brouillon')")
    tech.wait_for_selector(".flash li.success")
    agreement = Agreement.objects.get()
    assert tech.url == f"{base}/console/ententes/{agreement.pk}/"
    _step(tech, "Proposer au responsable du développement")

    dev = browser.new_context(locale="fr-CA").new_page()
    sign_in(dev, base, lead.username)
    dev.goto(f"{base}/console/ententes/")
    dev.click(f"a[href='/console/ententes/{agreement.pk}/']")
    _step(dev, "Approuver la version 1")

    tech.reload()
    _step(tech, "Envoyer au client")

    phone = browser.new_context(locale="fr-CA", viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, base, julie.username)
    phone.goto(f"{base}/portail/ententes/")
    phone.click(f"a[href='/portail/ententes/{agreement.pk}/']")
    assert "synchronisation" in phone.inner_text("main")
    _step(phone, "Accepter la version 1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.goto(f"{base}/portail/demandes/{ticket.pk}/")
    facts = phone.inner_text("dl.facts")
    assert "Résolution promise" in facts
    assert f"Entente de développement no {agreement.pk}, version 1" in facts
    assert Ticket.objects.get(pk=ticket.pk).resolution_due is not None

    tech.reload()
    _step(tech, "Commencer la production")
    _step(tech, "Livrer")

    phone.goto(f"{base}/portail/ententes/{agreement.pk}/")
    _step(phone, "Confirmer la livraison")
    assert "Livrée et confirmée" in phone.inner_text("main")
    assert Agreement.objects.get(pk=agreement.pk).state == State.CONFIRMED
