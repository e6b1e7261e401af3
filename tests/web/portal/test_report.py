"""A client administrator sees its own organization's attainment and hours by month, no one else's."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from soutien.contracts.services import time_entry_create
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories
from tests.web.helpers import signed_in, text_of

EASTERN = ZoneInfo("America/Toronto")
RECEIVED = datetime(2026, 11, 3, 10, 0, tzinfo=EASTERN)


def _answered(manager, tech, contact, after_minutes):
    with time_machine.travel(RECEIVED, tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=RECEIVED)
        services.ticket_update(actor=manager, ticket=ticket, level=1, assignee=tech)
    with time_machine.travel(RECEIVED + timedelta(minutes=after_minutes), tick=False):
        services.message_add(actor=tech, ticket=ticket, kind=MessageKind.REPLY, body="Oui")
        time_entry_create(actor=tech, ticket=ticket, started_at=RECEIVED, minutes=25)
    return ticket


def test_the_client_admin_sees_its_organization_month_by_month(
    manager, tech1, org, other_org, client_admin, contact
):
    _answered(manager, tech1, contact, 20)  # on time
    _answered(manager, tech1, factories.contact(other_org), 500)  # late, someone else's
    with time_machine.travel(datetime(2026, 11, 20, tzinfo=EASTERN), tick=False):
        page = signed_in(client_admin).get("/portail/chiffres/")
        refused = signed_in(contact).get("/portail/chiffres/")
    assert page.status_code == 200
    text = text_of(page)
    assert '<th scope="row">2026-11</th><td>1</td><td>1</td><td>0</td><td>100 %</td>' in text
    assert '<th scope="row">2026-11</th><td>25</td>' in text
    assert 'role="img"' in text
    assert refused.status_code == 404
