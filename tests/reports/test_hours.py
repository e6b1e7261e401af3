"""Hours by month follow the time entries (docs/reports.md, "How the figures are kept").

Every change to time shows in the hours report at once, without the periodic job, and equals
days recounted from scratch; a change made in SQL is mended by the job.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from soutien.contracts.models import Allocation, HourBank, TimeEntry
from soutien.contracts.services import (
    contract_create,
    credit_grant,
    time_entry_create,
    time_entry_delete,
    time_entry_update,
)
from soutien.reports import hours, selectors
from soutien.reports.models import HoursDay
from soutien.reports.periods import Period
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
NOVEMBER = datetime(2026, 11, 16, 9, 0, tzinfo=EASTERN)  # a Monday
DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=EASTERN)  # a Tuesday
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=EASTERN)
PERIOD = Period(date(2026, 11, 1), date(2026, 12, 31))

Figures = dict[tuple[int, str], tuple[int, int, dict[int, int]]]


def _hours() -> Figures:
    with time_machine.travel(NOW, tick=False):
        rows = selectors.hours_by_month(PERIOD)
    return {
        (h.organization_id, h.month): (h.logged_minutes, h.overage_minutes, dict(h.banks))
        for h in rows
    }


def _from_scratch() -> Figures:
    HoursDay.objects.all().delete()
    hours.rebuild()
    return _hours()


def _check(expected: Figures) -> None:
    """The report shows `expected` at once, and so do days recounted from scratch."""
    assert _hours() == expected
    assert _from_scratch() == expected


def test_each_change_to_time_shows_in_hours_by_month_at_once(
    manager, contact, org, other_org, tech1
):
    with time_machine.travel(NOW, tick=False):
        contract_create(
            actor=manager,
            organization=org,
            reference="LIC-2026-060",
            starts_on=date(2026, 4, 1),
            ends_on=date(2027, 3, 31),
            included_minutes=60,
        )
        bank = HourBank.objects.get(organization=org).pk
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOVEMBER)
        first = time_entry_create(actor=tech1, ticket=ticket, started_at=NOVEMBER, minutes=45)
        later = time_entry_create(actor=tech1, ticket=ticket, started_at=DECEMBER, minutes=30)
        nov, dec = (org.pk, "2026-11"), (org.pk, "2026-12")
        # Added: the second entry finds 15 minutes left, the rest is overage.
        _check({nov: (45, 0, {bank: 45}), dec: (30, 15, {bank: 15})})

        # Minutes edited: the later entry is reallocated in bulk and has no overage any more.
        first = time_entry_update(actor=tech1, entry=first, minutes=20)
        _check({nov: (20, 0, {bank: 20}), dec: (30, 0, {bank: 30})})

        # Start moved to another month: November is empty, December has both.
        first = time_entry_update(actor=tech1, entry=first, started_at=DECEMBER.replace(day=2))
        _check({dec: (50, 0, {bank: 50})})

        # Overage recomputed: the later entry grows past what the bank has left.
        later = time_entry_update(actor=tech1, entry=later, minutes=90)
        _check({dec: (110, 50, {bank: 60})})

        # Deleted: its minutes go back to the bank, the later entry draws them.
        time_entry_delete(actor=tech1, entry=first)
        _check({dec: (90, 30, {bank: 60})})

        # A credit or a waiver changes what is billed, not the minutes logged or drawn.
        credit_grant(actor=manager, organization=org, note="Geste", waived_overage_minutes=30)
        _check({dec: (90, 30, {bank: 60})})

        # Organization changed outside the services (an administrator's save): the day moves.
        later.refresh_from_db()
        later.organization = other_org
        later.save()
        _check({(other_org.pk, "2026-12"): (90, 30, {bank: 60})})


def test_an_allocation_saved_alone_shows_at_once(manager, contact, org, tech1):
    with time_machine.travel(NOW, tick=False):
        factories.spec4_banks(manager, org)
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOVEMBER)
        entry = time_entry_create(actor=tech1, ticket=ticket, started_at=NOVEMBER, minutes=30)
    allocation = Allocation.objects.get(entry=entry)
    allocation.minutes = 25
    allocation.save()
    _check({(org.pk, "2026-11"): (30, 0, {allocation.bank_id: 25})})


def test_the_job_mends_time_changed_in_sql(manager, contact, org, tech1):
    with time_machine.travel(NOW, tick=False):
        factories.spec4_banks(manager, org)
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOVEMBER)
        entry = time_entry_create(actor=tech1, ticket=ticket, started_at=NOVEMBER, minutes=30)
        time_entry_create(actor=tech1, ticket=ticket, started_at=DECEMBER, minutes=10)
    bank = Allocation.objects.get(entry=entry).bank_id
    assert hours.refresh_stale() == 0
    TimeEntry.objects.filter(pk=entry.pk).update(started_at=DECEMBER, minutes=40)
    Allocation.objects.filter(entry=entry).update(minutes=40)
    assert _hours()[(org.pk, "2026-11")] == (30, 0, {bank: 30})  # not yet seen

    assert hours.refresh_stale() == 2  # the day it left and the day it joined
    assert _hours() == {(org.pk, "2026-12"): (50, 0, {bank: 50})}
    assert hours.refresh_stale() == 0
    _check({(org.pk, "2026-12"): (50, 0, {bank: 50})})
