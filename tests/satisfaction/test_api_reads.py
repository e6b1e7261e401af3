"""The API reads a request's satisfaction rating and its guarantees: the client's own organization
only (another's answers 404, as if the request did not exist)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.contracts.models import HourBank
from soutien.satisfaction import services
from soutien.satisfaction.models import Rating
from soutien.ticketing import services as ticketing
from soutien.ticketing.models import Status
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
RESOLVED = datetime(2026, 12, 1, 14, 0, tzinfo=EASTERN)


@pytest.fixture
def resolved(manager, org, contact, tech1):
    factories.spec4_banks(manager, org)
    with time_machine.travel(RESOLVED - timedelta(hours=3), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager)
        ticketing.ticket_update(actor=manager, ticket=ticket, level=1, assignee=tech1)
    with time_machine.travel(RESOLVED, tick=False):
        ticketing.ticket_change_status(actor=tech1, ticket=ticket, status=Status.RESOLVED)
    return ticket


def test_the_rating_reads_as_it_stands_and_404_with_a_detail_before(
    resolved, contact, tech1, api_as
):
    r = api_as(contact).get(f"tickets/{resolved.pk}/satisfaction")
    assert r.status_code == 404
    assert r.json()["detail"]
    with time_machine.travel(RESOLVED + timedelta(days=1), tick=False):
        services.rating_record(
            ticket=resolved, value="bad", comment="Trop lent", actor=contact, via=Rating.Via.PORTAL
        )
    with time_machine.travel(RESOLVED + timedelta(days=2), tick=False):
        services.rating_record(ticket=resolved, value="good", actor=contact, via=Rating.Via.API)
    for reader in (contact, tech1):
        r = api_as(reader).get(f"tickets/{resolved.pk}/satisfaction")
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["ticket"] == resolved.pk
        assert body["rating"] == "good"  # as it stands: changed the next day
        assert body["via"] == "api"
        assert datetime.fromisoformat(body["rated_at"]) == RESOLVED + timedelta(days=2)


def test_the_guarantees_list_the_invocation_and_the_decision_with_its_credit(
    resolved, client_admin, manager, org, api_as
):
    with time_machine.travel(RESOLVED + timedelta(hours=1), tick=False):
        first = services.guarantee_invoke(actor=client_admin, ticket=resolved, reason="Trop long")
    bank = HourBank.objects.filter(organization=org, source="contract").get()
    with time_machine.travel(RESOLVED + timedelta(hours=2), tick=False):
        services.guarantee_decide(
            actor=manager,
            guarantee=first,
            grant=True,
            note="Rendu : 45 min.",
            bank=bank,
            credit_minutes=45,
            waived_overage_minutes=15,
        )
    with time_machine.travel(RESOLVED + timedelta(hours=3), tick=False):
        second = services.guarantee_invoke(actor=client_admin, ticket=resolved, reason="Encore")
    r = api_as(client_admin).get(f"tickets/{resolved.pk}/guarantees")
    assert r.status_code == 200, r.content
    latest, decided = r.json()
    assert latest["id"] == second.pk
    assert latest["state"] == "pending"
    assert latest["decision"] == ""
    assert latest["decided_at"] is None
    assert latest["credited_minutes"] == 0
    assert decided["id"] == first.pk
    assert decided["state"] == "granted"
    assert decided["reason"] == "Trop long"
    assert decided["invoked_by"] == client_admin.pk
    assert decided["invoked_by_name"] == client_admin.display_name
    assert datetime.fromisoformat(decided["invoked_at"]) == RESOLVED + timedelta(hours=1)
    assert datetime.fromisoformat(decided["decided_at"]) == RESOLVED + timedelta(hours=2)
    assert decided["decision"] == "Rendu : 45 min."
    assert decided["credited_minutes"] == 45
    assert decided["waived_minutes"] == 15
    assert decided["bank"] == bank.pk
    assert decided["decide_by"]
    # The list has the names the invocation's answer already has.
    assert set(decided) >= {"id", "ticket", "organization", "state", "reason", "decide_by"}


def test_another_organizations_client_gets_404_on_both(
    resolved, client_admin, other_org, manager, api_as
):
    services.guarantee_invoke(actor=client_admin, ticket=resolved, reason="Trop long")
    stranger = factories.client_admin(other_org)
    for path in ("guarantees", "satisfaction"):
        r = api_as(stranger).get(f"tickets/{resolved.pk}/{path}")
        assert r.status_code == 404
        assert "Trop long" not in r.content.decode()
    assert api_as(manager).get(f"tickets/{resolved.pk}/guarantees").status_code == 200
