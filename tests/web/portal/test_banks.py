"""A client administrator's hour banks in the portal."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from soutien.contracts.services import contract_create, time_entry_create
from tests import factories
from tests.web.helpers import NOON, signed_in


def test_client_admin_sees_its_banks_and_a_contact_does_not(worked, org, contact):
    admin = factories.client_admin(org)
    page = signed_in(admin).get("/portail/banques/").content.decode()
    assert "Support de base plus" in page
    assert "Journaux" in page
    assert signed_in(contact).get("/portail/banques/").status_code == 404


def test_low_balance_alert_shows_in_the_portal(manager, org, contact, tech1):
    admin = factories.client_admin(org)
    contract_create(
        actor=manager,
        organization=org,
        reference="LIC-P",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        included_minutes=100,
    )
    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOON)
        time_entry_create(actor=tech1, ticket=ticket, started_at=NOON, minutes=80)
    page = signed_in(admin).get("/portail/banques/").content.decode()
    assert "25 % restant" in page
