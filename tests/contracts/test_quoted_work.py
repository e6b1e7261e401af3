"""Work paid by a quote draws from no bank while the quote runs; the bank rules are unchanged."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from soutien.contracts.models import HourBank, QuotedWork
from soutien.contracts.services import (
    quoted_work_close,
    quoted_work_open,
    time_entry_create,
    time_entry_delete,
)
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=EASTERN)


def test_entries_inside_a_quote_draw_nothing_and_are_not_overage(manager, contact, org, tech1):
    factories.spec4_banks(manager, org)
    with time_machine.travel(TUESDAY + timedelta(hours=8), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=TUESDAY)
        quoted_work_open(ticket=ticket, at=TUESDAY + timedelta(hours=1), reference="Entente 1")
        quoted_work_close(ticket=ticket, at=TUESDAY + timedelta(hours=3))
        before = time_entry_create(actor=tech1, ticket=ticket, started_at=TUESDAY, minutes=30)
        inside = time_entry_create(
            actor=tech1, ticket=ticket, started_at=TUESDAY + timedelta(hours=2), minutes=45
        )
        after = time_entry_create(
            actor=tech1, ticket=ticket, started_at=TUESDAY + timedelta(hours=3), minutes=15
        )
    assert sum(a.minutes for a in before.allocations.all()) == 30
    assert not inside.allocations.exists()
    assert inside.overage_minutes == 0
    assert sum(a.minutes for a in after.allocations.all()) == 15
    assert sum(HourBank.objects.values_list("used_minutes", flat=True)) == 45


def test_a_quote_covers_only_its_request(manager, contact, org, tech1):
    factories.spec4_banks(manager, org)
    with time_machine.travel(TUESDAY + timedelta(hours=8), tick=False):
        quoted = factories.ticket(contact=contact, actor=manager, received_at=TUESDAY)
        other = factories.ticket(contact=contact, actor=manager, received_at=TUESDAY)
        quoted_work_open(ticket=quoted, at=TUESDAY, reference="Entente 2")
        entry = time_entry_create(actor=tech1, ticket=other, started_at=TUESDAY, minutes=20)
    assert sum(a.minutes for a in entry.allocations.all()) == 20


def test_reallocation_after_a_deletion_keeps_quoted_entries_out_of_the_banks(
    manager, contact, org, tech1
):
    factories.spec4_banks(manager, org)
    with time_machine.travel(TUESDAY + timedelta(hours=8), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=TUESDAY)
        first = time_entry_create(actor=tech1, ticket=ticket, started_at=TUESDAY, minutes=30)
        quoted_work_open(ticket=ticket, at=TUESDAY + timedelta(hours=1), reference="Entente 3")
        later = time_entry_create(
            actor=tech1, ticket=ticket, started_at=TUESDAY + timedelta(hours=2), minutes=60
        )
        time_entry_delete(actor=tech1, entry=first)
    later.refresh_from_db()
    assert not later.allocations.exists()
    assert later.overage_minutes == 0
    assert sum(HourBank.objects.values_list("used_minutes", flat=True)) == 0


def test_opening_twice_keeps_one_open_quote(manager, contact):
    ticket = factories.ticket(contact=contact, actor=manager)
    first = quoted_work_open(ticket=ticket, at=TUESDAY, reference="Entente 4")
    again = quoted_work_open(ticket=ticket, at=TUESDAY + timedelta(days=1), reference="Entente 4")
    assert first == again
    assert QuotedWork.objects.count() == 1
    assert quoted_work_close(ticket=ticket, at=TUESDAY - timedelta(days=1)).ends_at == TUESDAY
    assert quoted_work_close(ticket=ticket, at=TUESDAY) is None
