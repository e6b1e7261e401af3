"""A client asks for a training in the portal on a phone-sized screen; the trainer proposes the
first suggested slot; the client accepts and sees the confirmation. A technician holds a
teleconference on a request: it is the request's first response."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.contracts.services import subscription_create
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Ticket
from soutien.training.models import Session, TrainingRequest
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EASTERN = ZoneInfo("America/Toronto")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=EASTERN)
PHONE = {"width": 390, "height": 844}


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/connexion/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")


def _fits(page) -> bool:
    """Nothing sticks out sideways: the page reads on the phone without scrolling right."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_client_asks_for_training_and_accepts_the_suggested_slot(browser, live_server):
    with time_machine.travel(MONDAY, tick=True):
        org = factories.organization("Ville de Saint-Laurent")
        client_user = factories.contact(org, name="Marc Gagnon")
        trainer = factories.trainer("Tina Formatrice")
        factories.room("Salle Laurentides", capacity=8)
        base = live_server.url

        client = browser.new_context(locale="fr-CA", viewport=PHONE).new_page()
        _sign_in(client, base, client_user.username)
        client.wait_for_url(f"{base}/portail/")
        client.click("text=Menu")  # on a phone the navigation folds behind its button
        client.click("nav >> text=Formation")
        client.click("text=Demander une formation")
        client.check("input[name=subject][value=internals]")
        client.check("input[name=place][value=vendor]")
        client.fill("textarea[name=attendees]", "Ana Lopez\nBruno Roy, bruno@ville.example")
        client.fill("input[name=from_1]", "2026-11-25")
        client.fill("input[name=to_1]", "2026-11-26")
        assert _fits(client)
        client.click("#training-request button[type=submit]")
        client.wait_for_selector("text=Nous vous proposerons des dates sous peu.")
        training = TrainingRequest.objects.get()
        assert f"#{training.ticket.number}" in client.inner_text("h1")
        assert _fits(client)

        staff = browser.new_context(locale="fr-CA").new_page()
        _sign_in(staff, base, trainer.username)
        staff.wait_for_url(f"{base}/console/")
        staff.click("nav >> text=Formation")
        staff.click("#trainings >> text=Cœur de l'application, en profondeur")
        first = staff.locator("ul.slots li").first
        assert "mercredi 25 novembre" in first.inner_text()
        first.locator("button").click()
        staff.wait_for_selector(".flash >> text=Séance proposée")
        session = Session.objects.get()
        assert session.starts_at == datetime(2026, 11, 25, 8, 0, tzinfo=EASTERN)

        client.reload()
        assert "Proposée" in client.inner_text(".sessions")
        client.click("text=Accepter cette date")
        client.wait_for_selector(".flash >> text=Séance confirmée")
        assert "Confirmée" in client.inner_text(".sessions")
        assert "mercredi 25 novembre 2026" in client.inner_text(".sessions")
        assert _fits(client)
        session.refresh_from_db()
        assert (session.status, session.sequence) == ("confirmed", 1)
        assert OutboundEmail.objects.filter(
            to_address=client_user.email, template="session_invitation", context__event="confirmed"
        ).exists()

        # The same page in English.
        client.click("button[lang=en]")
        client.wait_for_selector("text=Add to my calendar (.ics)")
        assert "Confirmed" in client.inner_text(".sessions")


def test_a_teleconference_on_a_request_is_its_first_response(browser, live_server):
    with time_machine.travel(MONDAY, tick=True) as traveller:
        org = factories.organization("Ville de Saint-Laurent")
        client_user = factories.contact(org, name="Marc Gagnon")
        technician = factories.staff(levels=(1,), name="Théo Premier")
        manager = factories.staff(levels=(), manager=True)
        plan = factories.custom_plan(manager, services=("teleconference",))
        subscription_create(actor=manager, organization=org, plan=plan,
                            starts_on=date(2026, 11, 1), ends_on=date(2027, 10, 31))  # fmt: skip
        ticket = factories.ticket(contact=client_user, subject="Mise en page décalée")
        base = live_server.url

        staff = browser.new_context(locale="fr-CA").new_page()
        _sign_in(staff, base, technician.username)
        staff.goto(f"{base}/console/demandes/{ticket.pk}/")
        staff.click("text=Planifier une téléconférence")
        staff.fill("input[name=starts_at]", "2026-11-23T09:30")
        staff.fill("input[name=minutes]", "25")
        staff.fill("input[name=join_url]", "https://meet.example/soutien-1")
        staff.click("form button[type=submit]")
        staff.wait_for_selector(".flash >> text=Téléconférence planifiée")

        traveller.move_to(datetime(2026, 11, 23, 10, 0, tzinfo=EASTERN))
        staff.reload()
        staff.fill("textarea[name=summary]", "Marges corrigées ensemble.")
        staff.click("text=Consigner comme tenue")
        staff.wait_for_selector(".flash >> text=Séance consignée comme tenue")

        ticket = Ticket.objects.get()
        assert ticket.first_responded_at == datetime(2026, 11, 23, 9, 30, tzinfo=EASTERN)
        client = browser.new_context(locale="fr-CA", viewport=PHONE).new_page()
        _sign_in(client, base, client_user.username)
        client.goto(f"{base}/portail/demandes/{ticket.pk}/")
        text = client.inner_text("main")
        assert "Marges corrigées ensemble." in text
        assert "25 minutes" in text
        assert "Vous aurez de nos nouvelles" not in text  # the promise is kept: answered
        assert _fits(client)
