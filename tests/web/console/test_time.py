"""Time logged on a request from the console, and deleted."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from soutien.contracts.models import HourBank, TimeEntry
from soutien.contracts.services import contract_create
from tests import factories
from tests.web.helpers import NOON, signed_in


def test_technician_logs_and_deletes_time_on_a_request(manager, org, contact, tech1):
    contract_create(
        actor=manager,
        organization=org,
        reference="LIC-1",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        included_minutes=60,
    )
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOON)
        web = signed_in(tech1)
        r = web.post(
            f"/console/demandes/{ticket.pk}/temps/",
            {"started_at": "2026-12-01T12:00", "minutes": "75", "note": "Correctif"},
        )
        assert r.status_code == 302
        page = web.get(f"/console/demandes/{ticket.pk}/").content.decode()
    entry = TimeEntry.objects.get()
    assert entry.overage_minutes == 15
    assert "hors de toute banque" in page or "15 min" in page
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        web.post(f"/console/temps/{entry.pk}/supprimer/")
    assert not TimeEntry.objects.exists()
    assert HourBank.objects.get().used_minutes == 0
