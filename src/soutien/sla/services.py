"""SLA writes: a request's due time, its first response, recomputation, and once-only alerts."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from soutien.accounts.models import User
from soutien.notifications.services import notify
from soutien.sla.engine import Decision, Snapshot, decide, decide_many, snapshot
from soutien.sla.models import SlaAlert
from soutien.sla.terms import SlaRequest
from soutien.ticketing.models import ACTIVE_STATUSES, CallDirection, Message, MessageKind, Ticket

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 5000


def _fields(decision: Decision | None, *, responded: bool) -> dict[str, object]:
    if decision is None:
        return {
            "first_response_due": None,
            "sla_terms": {},
            "sla_calendar_id": None,
            "sla_warn_at": None,
            "sla_next_alert_at": None,
        }
    return {
        "first_response_due": decision.due,
        "sla_terms": decision.terms.as_record(),
        "sla_calendar_id": decision.terms.calendar_id,
        "sla_warn_at": decision.warn_at,
        # A warning already late (the due time moved closer) is sent at the next check.
        "sla_next_alert_at": None if responded else decision.warn_at,
    }


def apply_to_new_ticket(ticket: Ticket) -> None:
    """Fill the SLA fields of a request about to be inserted (no extra write)."""
    decision = decide(SlaRequest(ticket.organization_id, ticket.received_at, ticket.level))
    for name, value in _fields(decision, responded=False).items():
        setattr(ticket, name, value)


def refresh(ticket: Ticket) -> Ticket:
    """Recompute the due time from `received_at` with the request's current level and terms."""
    decision = decide(SlaRequest(ticket.organization_id, ticket.received_at, ticket.level))
    fields = _fields(decision, responded=ticket.first_responded_at is not None)
    if all(getattr(ticket, name) == value for name, value in fields.items()):
        return ticket
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=list(fields))
    return ticket


def counts_as_first_response(ticket: Ticket, message: Message) -> bool:
    """A public reply or a logged call by staff, at or after `received_at` (SPEC 3).

    The call that brought the request in (an inbound call at `received_at`) is the request
    itself, not an answer to it; notes and automatic acknowledgements never count.
    """
    if message.at < ticket.received_at:
        return False
    if message.kind == MessageKind.REPLY:
        return True
    if message.kind == MessageKind.PHONE_CALL:
        return message.call_direction == CallDirection.OUTBOUND or message.at > ticket.received_at
    return False


def record_response(ticket: Ticket, message: Message) -> None:
    """Keep the earliest response; a call logged late with an earlier start still counts first."""
    if not counts_as_first_response(ticket, message):
        return
    if ticket.first_responded_at is not None and ticket.first_responded_at <= message.at:
        return
    ticket.first_responded_at = message.at
    ticket.sla_next_alert_at = None
    ticket.save(update_fields=["first_responded_at", "sla_next_alert_at"])


def _update_rows(rows: list[tuple[int, dict[str, object]]]) -> None:
    """Write recomputed SLA fields for many requests with one statement per batch."""
    if not rows:
        return
    table = Ticket._meta.db_table
    names = [
        "first_response_due",
        "sla_terms",
        "sla_calendar_id",
        "sla_warn_at",
        "sla_next_alert_at",
    ]
    json_field = Ticket._meta.get_field("sla_terms")
    params: list[Any] = []
    for pk, fields in rows:
        params.append(pk)
        for name in names:
            value = fields[name]
            if name == "sla_terms":
                value = json_field.get_db_prep_value(value, connection)
            params.append(value)
    if connection.vendor == "postgresql":
        row = (
            "(%s::bigint, %s::timestamptz, %s::jsonb, %s::bigint, %s::timestamptz, %s::timestamptz)"
        )
        placeholders = ", ".join([row] * len(rows))
        assignments = ", ".join(f"{name} = v.{name}" for name in names)
        sql = (
            f"UPDATE {table} AS t SET {assignments} FROM (VALUES {placeholders}) "  # noqa: S608
            f"AS v(id, {', '.join(names)}) WHERE t.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    width = len(names) + 1
    assignments = ", ".join(f"{name} = %s" for name in names)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
            [[*params[i + 1 : i + width], params[i]] for i in range(0, len(params), width)],
        )


def recompute_open_tickets(
    *,
    organization_id: int | None = None,
    batch_size: int = RECOMPUTE_BATCH,
    snap: Snapshot | None = None,
) -> int:
    """Recompute the due times of every active request (after a calendar, policy or contract edit).

    Walks the table by id in batches so memory stays flat; returns how many requests changed.
    """
    snap = snap or snapshot()
    changed = 0
    last_id = 0
    base = Ticket.objects.filter(status__in=ACTIVE_STATUSES).order_by("id")
    if organization_id is not None:
        base = base.filter(organization_id=organization_id)
    columns = (
        "id", "organization_id", "received_at", "level", "first_responded_at",
        "first_response_due", "sla_terms", "sla_calendar_id", "sla_warn_at", "sla_next_alert_at",
    )  # fmt: skip
    while True:
        batch = list(base.filter(id__gt=last_id).values_list(*columns)[:batch_size])
        if not batch:
            return changed
        last_id = batch[-1][0]
        requests = [SlaRequest(row[1], row[2], row[3]) for row in batch]
        decisions = decide_many(requests, snap=snap)
        updates = []
        for row, decision in zip(batch, decisions, strict=True):
            fields = _fields(decision, responded=row[4] is not None)
            current = dict(zip(columns[5:], row[5:], strict=True))
            if decision is not None and current["first_response_due"] == decision.due:
                # Same due time: keep where the alert job stands for it.
                fields["sla_next_alert_at"] = current["sla_next_alert_at"]
            if any(current[name] != value for name, value in fields.items()):
                updates.append((row[0], fields))
        with transaction.atomic():
            _update_rows(updates)
        changed += len(updates)


def recompute_later(*, organization_id: int | None = None) -> None:
    """Queue a recomputation once the current transaction commits (a background task)."""
    from soutien.sla.tasks import recompute_open_tickets as task

    transaction.on_commit(lambda: task.enqueue(organization_id=organization_id))


def _recipients(ticket: Ticket, *, with_managers: bool) -> list[User]:
    if ticket.assignee_id is not None and ticket.assignee is not None and ticket.assignee.is_active:
        people = [ticket.assignee]
    elif ticket.level is not None:
        people = list(User.objects.technicians(ticket.level))
    else:
        people = []
    if with_managers or not people:
        people += list(
            User.objects.filter(is_active=True, organization__isnull=True).filter(
                Q(is_support_manager=True) | Q(is_superuser=True)
            )
        )
    unique = {p.pk: p for p in people}
    return list(unique.values())


def _alert_once(ticket: Ticket, kind: str) -> bool:
    """Record the alert for this request and due time; False if it was already sent."""
    assert ticket.first_response_due is not None
    try:
        with transaction.atomic():
            SlaAlert.objects.create(ticket=ticket, kind=kind, due=ticket.first_response_due)
    except IntegrityError:
        return False
    return True


def send_due_alerts(*, now: datetime | None = None) -> tuple[int, int]:
    """Send the breach warnings and breach notices that are due; returns (warnings, breaches).

    Safe when several workers run it at once: the (request, kind, due time) row is unique, and
    each request is locked while it is handled.
    """
    now = now or timezone.now()
    warned = breached = 0
    due_ids = list(
        Ticket.objects.filter(sla_next_alert_at__lte=now)
        .order_by("sla_next_alert_at")
        .values_list("id", flat=True)[:1000]
    )
    for pk in due_ids:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("assignee")
                .filter(pk=pk, sla_next_alert_at__lte=now)
                .first()
            )
            if ticket is None:
                continue
            due = ticket.first_response_due
            if due is None or ticket.first_responded_at is not None or not ticket.is_active:
                ticket.sla_next_alert_at = None
            elif now >= due:
                if _alert_once(ticket, SlaAlert.Kind.BREACH):
                    notify(
                        _recipients(ticket, with_managers=True),
                        "sla_breach",
                        ticket=ticket,
                        due=due,
                    )
                    breached += 1
                ticket.sla_next_alert_at = None
            else:
                if _alert_once(ticket, SlaAlert.Kind.WARNING):
                    notify(
                        _recipients(ticket, with_managers=False),
                        "sla_warning",
                        ticket=ticket,
                        due=due,
                    )
                    warned += 1
                ticket.sla_next_alert_at = due
            ticket.save(update_fields=["sla_next_alert_at"])
    return warned, breached


def service_time_left(
    ticket: Ticket, *, now: datetime | None = None, snap: Snapshot | None = None
) -> int | None:
    """Seconds of service time left before the due time (negative: overdue by), or None."""
    if ticket.first_response_due is None or ticket.sla_calendar_id is None:
        return None
    now = now or timezone.now()
    calendar = (snap or snapshot()).calendar(ticket.sla_calendar_id)
    due = ticket.first_response_due
    if now <= due:
        return calendar.service_seconds(now, due)
    return -calendar.service_seconds(due, now)
