"""Who reads which report through the API, and bad input answered with 4xx, never 500."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
RECEIVED = datetime(2026, 11, 3, 10, 0, tzinfo=EASTERN)


@pytest.fixture
def two_orgs(org, other_org, manager, tech1):
    """One answered request in each organization."""
    for organization in (org, other_org):
        with time_machine.travel(RECEIVED, tick=False):
            ticket = factories.ticket(
                contact=factories.contact(organization), actor=manager, received_at=RECEIVED
            )
        with time_machine.travel(RECEIVED.replace(hour=10, minute=20), tick=False):
            services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Oui")


PERIOD = "from=2026-11-01&to=2026-11-30"


def test_client_admin_sees_only_its_organization(two_orgs, api_as, org, client_admin):
    api = api_as(client_admin)
    with time_machine.travel(datetime(2026, 11, 20, tzinfo=EASTERN), tick=False):
        sla = api.get(f"reports/sla?{PERIOD}&group_by=organization").json()
        first = api.get(f"reports/first-response?{PERIOD}").json()
        hours = api.get(f"reports/hours?{PERIOD}").json()
    assert [row["key"] for row in sla] == [str(org.pk)]
    assert sla[0]["met"] == 1
    assert first["count"] == 1
    assert first["median_minutes"] == 20
    assert all(row["organization"] == org.pk for row in hours["months"] + hours["banks"])


def test_manager_sees_the_whole_desk_or_one_organization(two_orgs, api_as, manager, other_org):
    api = api_as(manager)
    with time_machine.travel(datetime(2026, 11, 20, tzinfo=EASTERN), tick=False):
        everyone = api.get(f"reports/sla?{PERIOD}&group_by=organization").json()
        one = api.get(f"reports/sla?{PERIOD}&group_by=organization&organization={other_org.pk}")
    assert len(everyone) == 2
    assert [row["key"] for row in one.json()] == [str(other_org.pk)]


def test_another_organization_is_not_found_for_a_client(two_orgs, api_as, client_admin, other_org):
    r = api_as(client_admin).get(f"reports/sla?{PERIOD}&organization={other_org.pk}")
    assert r.status_code == 404
    assert "detail" in r.json()


@pytest.mark.parametrize("who", ["contact", "tech1"])
def test_contacts_and_technicians_are_refused(request, api_as, who):
    r = api_as(request.getfixturevalue(who)).get(f"reports/sla?{PERIOD}")
    assert r.status_code == 403
    assert "detail" in r.json()


@pytest.mark.parametrize(
    "query",
    [
        "reports/sla?from=2026-11-30&to=2026-11-01",
        "reports/sla?from=2020-01-01&to=2026-11-01",
        "reports/sla?group_by=planet",
        "reports/sla?measure=speed",
        "reports/sla?from=yesterday",
        "reports/first-response?level=4",
        "reports/hours?organization=0",
        "reports/hours?organization=99999999",
    ],
)
def test_bad_input_is_a_4xx_with_a_detail(api_as, manager, query):
    r = api_as(manager).get(query)
    assert 400 <= r.status_code < 500, r.content
    assert "detail" in r.json()


def test_without_a_token_it_is_401(api_as, db):
    assert api_as(None).get("reports/sla").status_code == 401
