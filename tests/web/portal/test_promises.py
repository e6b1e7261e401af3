"""What the portal tells a client before filing (when support will answer) and on a statement
(why minutes were billable)."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from soutien.contracts.services import time_entry_create
from tests import factories
from tests.web.helpers import EASTERN, RECEIVED, signed_in, text_of


def test_before_filing_the_client_reads_when_support_will_answer(contact):
    with time_machine.travel(RECEIVED, tick=False):
        page = text_of(signed_in(contact).get("/portail/demandes/nouvelle/"))
    assert "première réponse au plus tard le mardi 1er décembre 2026, 11 h 15" in page


def test_on_friday_evening_the_promise_is_monday_morning(contact):
    contact.language = "en"
    contact.save(update_fields=["language"])
    with time_machine.travel(datetime(2026, 12, 4, 18, 0, tzinfo=EASTERN), tick=False):
        client = signed_in(contact)
        client.cookies["django_language"] = "en"
        response = client.get("/portail/demandes/nouvelle/")
        assert response.status_code == 200, response.get("Location")
        page = text_of(response)
    assert "a first answer by Monday, December 7, 2026, 9:00 AM at the latest" in page


def test_a_statement_says_why_minutes_were_billable(manager, org, client_admin, tech1):
    factories.spec4_banks(manager, org)
    ticket = factories.ticket(contact=client_admin, actor=manager)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN)
    after_the_contract = datetime(2027, 4, 6, 10, 0, tzinfo=EASTERN)
    with time_machine.travel(after_the_contract + timedelta(hours=2), tick=False):
        time_entry_create(actor=tech1, ticket=ticket, started_at=saturday, minutes=30)
        time_entry_create(actor=tech1, ticket=ticket, started_at=after_the_contract, minutes=15)
        client = signed_in(client_admin)
        page = text_of(client.get("/portail/releve/?du=2026-12-01&au=2027-04-30"))
    assert "en dehors des heures de votre forfait" in page
    assert "aucune banque d'heures en vigueur ce jour-là" in page
