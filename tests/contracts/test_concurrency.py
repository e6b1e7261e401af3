"""Fifty time entries at once against the same banks never over-draw them (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum

from soutien.contracts.models import Allocation, HourBank, Plan, TimeEntry
from soutien.contracts.services import contract_create, subscription_create, time_entry_create
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
DAY = datetime(2026, 12, 1, 8, 0, tzinfo=EASTERN)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_simultaneous_entries_draw_exactly_what_the_banks_hold(manager, contact, org):
    contract_create(
        actor=manager,
        organization=org,
        reference="LIC-C",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 3, 31),
        included_minutes=700,
    )
    subscription_create(
        actor=manager,
        organization=org,
        plan=Plan.objects.get(code="base-extra"),
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
        minutes=300,
    )
    with time_machine.travel(DAY + timedelta(hours=10)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=DAY)
    technicians = [factories.staff(levels=(1,)) for _ in range(5)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def log(worker: int) -> None:
        try:
            barrier.wait()
            with time_machine.travel(DAY + timedelta(hours=10), tick=False):
                for k in range(5):
                    n = worker * 5 + k
                    time_entry_create(
                        actor=technicians[n % 5],
                        ticket=ticket,
                        started_at=DAY + timedelta(minutes=(n % 9) * 60),
                        minutes=30,
                        note=f"entrée {n}",
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=log, args=(w,)) for w in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

    assert TimeEntry.objects.count() == 50
    banks = {b.source: b for b in HourBank.objects.filter(organization=org)}
    # 50 x 30 = 1,500 minutes of work, all within 08:00-17:00 on a weekday: both banks cover it.
    assert banks["plan"].used_minutes == 300
    assert banks["contract"].used_minutes == 700
    assert TimeEntry.objects.aggregate(o=Sum("overage_minutes"))["o"] == 500
    for bank in banks.values():
        drawn = Allocation.objects.filter(bank=bank).aggregate(m=Sum("minutes"))["m"]
        assert drawn == bank.used_minutes
    for entry in TimeEntry.objects.prefetch_related("allocations"):
        assert (
            sum(a.minutes for a in entry.allocations.all()) + entry.overage_minutes == entry.minutes
        )
