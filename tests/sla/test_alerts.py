"""Breach warnings 15 service minutes ahead and breach notices at the due time, each exactly once."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from tests import factories

from soutien.notifications.models import Notification
from soutien.sla.models import SlaAlert
from soutien.sla.services import send_due_alerts
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Ticket

EASTERN = ZoneInfo("America/Toronto")
RECEIVED = datetime(2026, 12, 4, 16, 30, tzinfo=EASTERN)  # Friday; level 1 due Monday 08:30


@pytest.fixture
def assigned(manager, contact, tech1):
    with time_machine.travel(RECEIVED, tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=RECEIVED)
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
    return Ticket.objects.get(pk=ticket.pk)


def test_warning_is_fifteen_service_minutes_before_the_due_time(assigned):
    assert assigned.first_response_due == datetime(2026, 12, 7, 8, 30, tzinfo=EASTERN)
    assert assigned.sla_warn_at == datetime(2026, 12, 7, 8, 15, tzinfo=EASTERN)


def test_warning_before_a_weekend_is_counted_in_service_time(manager, contact):
    received = datetime(2026, 12, 4, 16, 0, tzinfo=EASTERN)  # Friday, due 17:00
    with time_machine.travel(received, tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=received)
    assert Ticket.objects.get(pk=ticket.pk).sla_warn_at == datetime(
        2026, 12, 4, 16, 45, tzinfo=EASTERN
    )


def test_warning_then_breach_each_sent_once(assigned, tech1, manager):
    assert send_due_alerts(now=datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN)) == (0, 0)
    assert send_due_alerts(now=datetime(2026, 12, 7, 8, 14, tzinfo=EASTERN)) == (0, 0)
    assert send_due_alerts(now=datetime(2026, 12, 7, 8, 15, tzinfo=EASTERN)) == (1, 0)
    assert send_due_alerts(now=datetime(2026, 12, 7, 8, 20, tzinfo=EASTERN)) == (0, 0)
    assert send_due_alerts(now=datetime(2026, 12, 7, 8, 30, tzinfo=EASTERN)) == (0, 1)
    assert send_due_alerts(now=datetime(2026, 12, 7, 9, 30, tzinfo=EASTERN)) == (0, 0)
    warnings = Notification.objects.filter(kind="sla_warning")
    assert [n.recipient for n in warnings] == [tech1]
    breach_recipients = set(
        Notification.objects.filter(kind="sla_breach").values_list("recipient", flat=True)
    )
    assert breach_recipients == {tech1.pk, manager.pk}


def test_no_alert_once_answered(assigned, tech1):
    with time_machine.travel(datetime(2026, 12, 7, 8, 10, tzinfo=EASTERN), tick=False):
        services.message_add(actor=tech1, ticket=assigned, kind=MessageKind.REPLY, body="Bonjour")
    assert send_due_alerts(now=datetime(2026, 12, 7, 9, 0, tzinfo=EASTERN)) == (0, 0)
    assert not SlaAlert.objects.exists()


def test_a_new_due_time_gets_its_own_alerts(assigned, manager):
    assert send_due_alerts(now=datetime(2026, 12, 7, 8, 15, tzinfo=EASTERN)) == (1, 0)
    with time_machine.travel(datetime(2026, 12, 7, 8, 20, tzinfo=EASTERN), tick=False):
        services.ticket_set_level(actor=manager, ticket=assigned, level=2)
    # Level 2: 300 minutes, due Monday 12:30; its warning is Monday 12:15.
    assert send_due_alerts(now=datetime(2026, 12, 7, 12, 15, tzinfo=EASTERN)) == (1, 0)
    assert SlaAlert.objects.filter(kind="warning").count() == 2


def test_unassigned_request_warns_its_level_queue(manager, contact, tech1):
    other = factories.staff(levels=(1,))
    with time_machine.travel(RECEIVED, tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=RECEIVED)
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        services.ticket_assign(actor=manager, ticket=ticket, technician=None)
    send_due_alerts(now=datetime(2026, 12, 7, 8, 15, tzinfo=EASTERN))
    assert set(Notification.objects.values_list("recipient", flat=True)) == {tech1.pk, other.pk}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_each_alert_once(manager, contact):
    tickets = []
    with time_machine.travel(RECEIVED, tick=False):
        for _ in range(20):
            tickets.append(factories.ticket(contact=contact, actor=manager, received_at=RECEIVED))
    now = datetime(2026, 12, 7, 9, 0, tzinfo=EASTERN)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(send_due_alerts(now=now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(b for _, b in results) == 20
    assert SlaAlert.objects.filter(kind="breach").count() == 20
    assert Notification.objects.filter(kind="sla_breach").count() == 20
