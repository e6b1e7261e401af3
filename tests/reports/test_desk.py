"""Backlog by level and age, reopen rate, one-touch resolution and workload (docs/reports.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from soutien.contracts.services import time_entry_create
from soutien.reports import desk
from soutien.reports.periods import Period
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Status
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=EASTERN)
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _file(contact, manager, received, level=None, assignee=None):
    with _at(received):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=received)
        if level:
            ticket = services.ticket_update(
                actor=manager, ticket=ticket, level=level, assignee=assignee
            )
    return ticket


def _reply(ticket, tech, at):
    with _at(at):
        services.message_add(actor=tech, ticket=ticket, kind=MessageKind.REPLY, body="Voici")


def _resolve(ticket, manager, at):
    with _at(at):
        services.ticket_change_status(actor=manager, ticket=ticket, status=Status.RESOLVED)


def test_backlog_counts_active_requests_by_level_and_age(manager, contact, tech1):
    _file(contact, manager, NOW - timedelta(hours=12), 1, tech1)
    _file(contact, manager, NOW - timedelta(days=5), 1, tech1)
    _file(contact, manager, NOW - timedelta(days=40))
    done = _file(contact, manager, NOW - timedelta(days=2), 1, tech1)
    _resolve(done, manager, NOW - timedelta(days=1))
    with _at(NOW):
        found = desk.backlog_by_level_and_age()
        behind = desk.requests_behind({"report": "backlog", "level": "1", "age": "3-7"})
    assert found["1"] == {"0-1": 1, "1-3": 0, "3-7": 1, "7-30": 0, "30+": 0}
    assert found["none"]["30+"] == 1
    assert sum(found["2"].values()) == sum(found["3"].values()) == 0
    assert behind is not None
    assert behind.count() == 1


def test_reopen_rate_and_one_touch_resolution(manager, contact, tech1):
    received = datetime(2026, 11, 2, 9, 0, tzinfo=EASTERN)
    reopened = _file(contact, manager, received, 1, tech1)
    one_touch = _file(contact, manager, received, 1, tech1)
    two_touches = _file(contact, manager, received, 1, tech1)
    for ticket in (reopened, one_touch, two_touches):
        _reply(ticket, tech1, received + timedelta(hours=1))
    _reply(two_touches, tech1, received + timedelta(hours=2))
    for ticket in (reopened, one_touch, two_touches):
        _resolve(ticket, manager, received + timedelta(days=1))
    with _at(received + timedelta(days=3)):  # the client writes back: the request reopens
        services.message_add(
            actor=contact, ticket=reopened, kind=MessageKind.CLIENT, body="Toujours pas"
        )
    with _at(NOW):
        reopen = desk.reopen_rate(NOVEMBER)
        touch = desk.one_touch_rate(NOVEMBER)
        october = desk.reopen_rate(Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (reopen.part, reopen.whole, reopen.rate) == (1, 3, 0.3333)
    assert (touch.part, touch.whole, touch.rate) == (1, 2, 0.5)
    assert list(desk.one_touch(NOVEMBER)) == [one_touch]
    assert list(desk.reopened_in(NOVEMBER)) == [reopened]
    assert october.rate is None


def test_workload_per_technician(manager, contact, tech1, tech2):
    received = datetime(2026, 11, 3, 9, 0, tzinfo=EASTERN)
    first = _file(contact, manager, received, 1, tech1)
    second = _file(contact, manager, received, 2, tech2)
    _reply(first, tech1, received + timedelta(minutes=10))
    _reply(first, tech1, received + timedelta(minutes=50))
    _reply(second, tech1, received + timedelta(minutes=20))
    with _at(received + timedelta(hours=2)):
        time_entry_create(actor=tech1, ticket=first, started_at=received, minutes=45)
        time_entry_create(actor=tech2, ticket=second, started_at=received, minutes=30)
    _resolve(second, manager, received + timedelta(hours=3))
    with _at(NOW):
        found = {w.technician: w for w in desk.workload(NOVEMBER)}
    assert (found[tech1].open, found[tech1].answered, found[tech1].minutes) == (1, 2, 45)
    assert (found[tech2].open, found[tech2].answered, found[tech2].minutes) == (0, 0, 30)
    assert manager not in found
