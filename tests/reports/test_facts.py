"""The reports' facts follow the requests (docs/reports.md, "How the figures are kept").

Each change a desk makes shows in the reports at once, without the periodic job; a change made
in SQL is mended by the job; a calendar edited since the facts were computed is read live; and
whatever the path, the figures equal those of facts computed from scratch.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from soutien.reports import desk, facts, selectors
from soutien.reports.models import RequestFact
from soutien.reports.periods import Period
from soutien.sla import configuration
from soutien.sla.models import ServiceCalendar
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Status, Ticket
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=EASTERN)
FRIDAY = datetime(2026, 11, 27, 16, 30, tzinfo=EASTERN)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=EASTERN)
PERIOD = Period(date(2026, 11, 1), date(2026, 12, 31))


def _at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _figures() -> dict[str, object]:
    found: dict[str, object] = {}
    with _at(NOW):
        for group_by in selectors.GROUPS:
            for measure in selectors.MEASURES:
                found[f"{group_by}/{measure}"] = selectors.sla_attainment(
                    PERIOD, group_by=group_by, measure=measure
                )
        found["first-response"] = selectors.first_response_times(PERIOD)
        found["one-touch"] = desk.one_touch_rate(PERIOD)
    return found


def _from_scratch() -> dict[str, object]:
    RequestFact.objects.all().delete()
    assert facts.rebuild() == Ticket.objects.count()
    return _figures()


def _sla(group_by: str, measure: str = "first_response") -> dict[str, tuple[int, int, int]]:
    with _at(NOW):
        rows = selectors.sla_attainment(PERIOD, group_by=group_by, measure=measure)
    return {row.key: (row.met, row.breached, row.pending) for row in rows}


def test_each_change_shows_in_the_reports_without_the_job(
    manager, contact, tech1, tech2, django_capture_on_commit_callbacks
):
    with _at(MONDAY):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=MONDAY)
        ticket = services.ticket_update(actor=manager, ticket=ticket, level=1, assignee=tech1)
    assert _sla("level") == {"1": (0, 1, 0)}  # due 10:00 that Monday, unanswered
    assert _sla("technician") == {str(tech1.pk): (0, 1, 0)}

    # Level changed: the due time moves (300 minutes) and so does the group.
    with _at(MONDAY + timedelta(minutes=20)):
        ticket = services.ticket_update(actor=manager, ticket=ticket, level=2)
    assert _sla("level") == {"2": (0, 1, 0)}
    # Reassigned.
    with _at(MONDAY + timedelta(minutes=25)):
        ticket = services.ticket_assign(actor=manager, ticket=ticket, technician=tech2)
    assert _sla("technician") == {str(tech2.pk): (0, 1, 0)}

    # First response, after the facts were built: met, and 30 minutes in both clocks.
    with _at(MONDAY + timedelta(minutes=30)):
        services.message_add(actor=tech2, ticket=ticket, kind=MessageKind.REPLY, body="Voici")
    assert _sla("level") == {"2": (1, 0, 0)}
    with _at(NOW):
        first = selectors.first_response_times(PERIOD)
    assert (first.service.count, first.service.median_minutes) == (1, 30)
    assert first.clock.median_minutes == 30

    # A resolution target met, then the request reopened: no longer met.
    with _at(MONDAY + timedelta(hours=1)):
        services.ticket_set_resolution_target(
            ticket=ticket, due=NOW + timedelta(days=5), terms={"fr": "Entente", "en": "Agreement"}
        )
        services.ticket_change_status(actor=manager, ticket=ticket, status=Status.RESOLVED)
    assert _sla("level", "resolution") == {"2": (1, 0, 0)}
    with _at(NOW):
        assert desk.one_touch_rate(PERIOD) == desk.Share(1, 1)
    with _at(MONDAY + timedelta(hours=2)):
        services.ticket_change_status(actor=manager, ticket=ticket, status=Status.OPEN)
    assert _sla("level", "resolution") == {"2": (0, 0, 1)}
    with _at(NOW):
        assert desk.one_touch_rate(PERIOD) == desk.Share(0, 0)

    # Due time recomputed in bulk (a closure on the Monday after a Friday request): its due
    # time leaves November for December.
    with _at(FRIDAY):
        late = factories.ticket(contact=contact, actor=manager, received_at=FRIDAY)
    assert _sla("month") == {"2026-11": (1, 1, 0)}
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    with _at(FRIDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        configuration.closure_add(actor=manager, calendar=standard, day=date(2026, 11, 30))
    assert Ticket.objects.get(pk=late.pk).first_response_due == datetime(
        2026, 12, 1, 8, 30, tzinfo=EASTERN
    )
    assert _sla("month") == {"2026-11": (1, 0, 0), "2026-12": (0, 1, 0)}
    # The calendar's revision changed: the answered request's service minutes are read live
    # (and the job will refresh its fact); the other one was refreshed with the recomputation.
    assert facts.stale_ids() == [ticket.pk]
    assert _figures() == _from_scratch()


def test_the_job_mends_a_change_made_in_sql(manager, contact, tech1):
    with _at(MONDAY):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=MONDAY)
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Voici")
    Ticket.objects.filter(pk=ticket.pk).update(level=3, assignee=tech1)
    assert facts.stale_ids() == [ticket.pk]
    assert _sla("level") == {"none": (1, 0, 0)}  # the facts lag a write that skipped the product
    assert facts.refresh_stale() == 1
    assert _sla("level") == {"3": (1, 0, 0)}
    assert _sla("technician") == {str(tech1.pk): (1, 0, 0)}
    assert facts.stale_ids() == []
    assert _figures() == _from_scratch()


def test_a_missing_fact_is_made_by_the_job(manager, contact):
    with _at(MONDAY):
        factories.ticket(contact=contact, actor=manager, received_at=MONDAY)
    RequestFact.objects.all().delete()
    assert _sla("level") == {}
    assert facts.refresh_stale() == 1
    assert _sla("level") == {"none": (0, 1, 0)}


def test_a_calendar_edited_since_is_read_live_until_the_job_runs(manager, contact, tech1):
    """A closed request keeps its due time, but its service minutes follow the calendar."""
    with _at(MONDAY):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=MONDAY)
    with _at(MONDAY + timedelta(hours=2)):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Voici")
        services.ticket_change_status(actor=manager, ticket=ticket, status=Status.CLOSED)
    with _at(NOW):
        assert selectors.first_response_times(PERIOD).service.median_minutes == 120
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    with _at(NOW):
        configuration.calendar_save(
            actor=manager,
            calendar=standard,
            name=standard.name,
            windows={str(d): [[10 * 60, 17 * 60]] for d in range(5)},  # opens at 10:00 now
        )
    assert facts.stale_ids() == [ticket.pk]
    with _at(NOW):
        before_job = selectors.first_response_times(PERIOD)
    assert before_job.service.median_minutes == 60
    assert before_job.clock.median_minutes == 120
    facts.refresh_stale()
    assert facts.stale_ids() == []
    with _at(NOW):
        assert selectors.first_response_times(PERIOD) == before_job
    assert _figures() == _from_scratch()


def test_deleting_the_technician_moves_their_requests_to_unassigned(manager, contact, tech1):
    with _at(MONDAY):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=MONDAY)
        services.ticket_assign(actor=manager, ticket=ticket, technician=tech1)
    assert _sla("technician") == {str(tech1.pk): (0, 1, 0)}
    tech1.delete()
    assert _sla("technician") == {"none": (0, 1, 0)}


def test_the_breaches_table_lists_the_breached_requests_due_first(manager, contact, tech1):
    received = [MONDAY, MONDAY + timedelta(hours=1), MONDAY + timedelta(hours=2), FRIDAY]
    tickets = []
    for at in received:
        with _at(at):
            tickets.append(factories.ticket(contact=contact, actor=manager, received_at=at))
    with _at(MONDAY + timedelta(hours=1, minutes=10)):  # the second one answered in time
        services.message_add(actor=tech1, ticket=tickets[1], kind=MessageKind.REPLY, body="Voici")
    with _at(MONDAY + timedelta(days=1)):  # the first one answered late
        services.message_add(actor=tech1, ticket=tickets[0], kind=MessageKind.REPLY, body="Voici")
    with _at(NOW):
        listed = desk.first_breaches(PERIOD)
        first = desk.first_breaches(PERIOD, limit=1)
        every = list(desk.breached(PERIOD).order_by("first_response_due"))
    assert [t.pk for t in listed] == [tickets[0].pk, tickets[2].pk, tickets[3].pk]
    assert listed == every
    assert [t.pk for t in first] == [tickets[0].pk]
