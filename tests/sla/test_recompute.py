"""Due times follow every change that governs them: level, calendars, closures, policy, contracts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from tests import factories

from soutien.contracts.services import contract_create
from soutien.sla import configuration
from soutien.sla.models import Policy, ServiceCalendar
from soutien.sla.services import recompute_open_tickets
from soutien.ticketing import services
from soutien.ticketing.models import Status, Ticket

EASTERN = ZoneInfo("America/Toronto")
RECEIVED = datetime(2026, 12, 4, 16, 30, tzinfo=EASTERN)  # a Friday


@pytest.fixture
def friday_ticket(manager, contact):
    with time_machine.travel(RECEIVED, tick=False):
        return factories.ticket(contact=contact, actor=manager, received_at=RECEIVED)


def _due(ticket: Ticket) -> datetime | None:
    return Ticket.objects.get(pk=ticket.pk).first_response_due


def test_level_change_recomputes_from_received_at(friday_ticket, manager, tech2):
    assert _due(friday_ticket) == datetime(2026, 12, 7, 8, 30, tzinfo=EASTERN)
    with time_machine.travel(RECEIVED + timedelta(days=3), tick=False):
        services.ticket_set_level(actor=manager, ticket=friday_ticket, level=2)
    # 30 minutes on Friday + 270 on Monday, counted from received_at, not from the triage.
    assert _due(friday_ticket) == datetime(2026, 12, 7, 12, 30, tzinfo=EASTERN)


def test_a_closure_moves_open_requests(friday_ticket, manager, django_capture_on_commit_callbacks):
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    with (
        time_machine.travel(RECEIVED + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        configuration.closure_add(
            actor=manager, calendar=standard, day=date(2026, 12, 7), reason="Inventaire"
        )
    assert _due(friday_ticket) == datetime(2026, 12, 8, 8, 30, tzinfo=EASTERN)


def test_a_calendar_edit_recomputes_open_requests(
    friday_ticket, manager, django_capture_on_commit_callbacks
):
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    with (
        time_machine.travel(RECEIVED + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        configuration.calendar_save(
            actor=manager,
            calendar=standard,
            name=standard.name,
            windows={str(d): [[8 * 60, 18 * 60]] for d in range(5)},
        )
    assert _due(friday_ticket) == datetime(2026, 12, 4, 17, 30, tzinfo=EASTERN)


def test_closed_requests_are_not_recomputed(
    friday_ticket, manager, django_capture_on_commit_callbacks
):
    services.ticket_change_status(actor=manager, ticket=friday_ticket, status=Status.CLOSED)
    before = _due(friday_ticket)
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    with django_capture_on_commit_callbacks(execute=True):
        configuration.closure_add(actor=manager, calendar=standard, day=date(2026, 12, 7))
    assert _due(friday_ticket) == before


def test_a_new_policy_version_applies_from_its_date_only(manager, contact):
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    old_received = datetime(2026, 12, 1, 10, 0, tzinfo=EASTERN)
    new_received = datetime(2026, 12, 3, 10, 0, tzinfo=EASTERN)
    with time_machine.travel(new_received, tick=False):
        before = factories.ticket(contact=contact, actor=manager, received_at=old_received)
        configuration.policy_publish(
            actor=manager,
            effective_from=datetime(2026, 12, 2, tzinfo=EASTERN),
            text_fr="Nouvelle politique",
            calendar=standard,
            minutes_untriaged=30,
            minutes_level_1=30,
            minutes_level_2=240,
            minutes_level_3=30,
        )
        after = factories.ticket(contact=contact, actor=manager, received_at=new_received)
    assert _due(before) == old_received + timedelta(hours=1)
    assert _due(after) == new_received + timedelta(minutes=30)
    assert Policy.objects.count() == 2


def test_a_contract_with_better_terms_recomputes_its_organizations_requests(
    friday_ticket, manager, org, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(RECEIVED + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        contract_create(
            actor=manager,
            organization=org,
            reference="LIC-24-7",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            calendar=ServiceCalendar.objects.get(always_open=True),
        )
    assert _due(friday_ticket) == RECEIVED + timedelta(hours=1)
    assert Ticket.objects.get(pk=friday_ticket.pk).sla_terms["source"] == "contract"


def test_recompute_walks_every_open_request_in_batches(manager, contact):
    received = datetime(2026, 12, 1, 9, 0, tzinfo=EASTERN)
    with time_machine.travel(received, tick=False):
        tickets = [
            factories.ticket(contact=contact, actor=manager, received_at=received) for _ in range(7)
        ]
    Ticket.objects.update(first_response_due=datetime(2000, 1, 1, tzinfo=UTC), sla_terms={})
    assert recompute_open_tickets(batch_size=3) == 7
    assert {_due(t) for t in tickets} == {received + timedelta(hours=1)}
    assert recompute_open_tickets(batch_size=3) == 0


def test_configuration_edits_are_for_managers_only(tech1):
    from soutien.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        configuration.calendar_save(actor=tech1, name="x", windows={"0": [[0, 60]]})


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recompute_outside_a_transaction_uses_parallel_writers_and_stays_exact(manager, contact):
    from django.db import connection

    received = datetime(2026, 12, 1, 9, 0, tzinfo=EASTERN)
    with time_machine.travel(received, tick=False):
        tickets = [
            factories.ticket(contact=contact, actor=manager, received_at=received)
            for _ in range(11)
        ]
    Ticket.objects.update(first_response_due=None, sla_terms={})
    assert not connection.in_atomic_block
    assert recompute_open_tickets(batch_size=2) == 11
    assert {_due(t) for t in tickets} == {received + timedelta(hours=1)}
    assert {Ticket.objects.get(pk=t.pk).sla_terms["source"] for t in tickets} == {"policy"}
