"""SLA writes: a request's due time, its first response, recomputation, and once-only alerts."""

from __future__ import annotations

import json
import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from soutien.notifications import events as notify
from soutien.sla.engine import Decision, Snapshot, decide, decide_many, snapshot
from soutien.sla.models import SlaAlert
from soutien.sla.signals import due_times_changed
from soutien.sla.terms import SlaRequest
from soutien.ticketing.models import ACTIVE_STATUSES, CallDirection, Message, MessageKind, Ticket

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 5000
# Writer connections storing batches while the next ones are decided (PostgreSQL only).
WRITERS = 2


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
    """A public reply, a logged call or a teleconference held by staff, at or after
    `received_at` (SPEC 3 and 5).

    The call that brought the request in (an inbound call at `received_at`) is the request
    itself, not an answer to it; notes and automatic acknowledgements never count.
    """
    if message.at < ticket.received_at:
        return False
    if message.kind in (MessageKind.REPLY, MessageKind.TELECONFERENCE):
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


SLA_COLUMNS = (
    "first_response_due",
    "sla_terms",
    "sla_calendar_id",
    "sla_warn_at",
    "sla_next_alert_at",
)


def _update_rows(rows: list[tuple[int, dict[str, object]]]) -> None:
    """Write recomputed SLA fields for many requests at once (inside the caller's transaction)."""
    if not rows:
        return
    table = Ticket._meta.db_table
    values: list[list[Any]] = [
        [pk, *(json.dumps(fields[n]) if n == "sla_terms" else fields[n] for n in SLA_COLUMNS)]
        for pk, fields in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a scratch table, then one joined UPDATE: no giant statement to parse.
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS sla_recompute (id bigint, first_response_due"
                " timestamptz, sla_terms jsonb, sla_calendar_id bigint, sla_warn_at timestamptz,"
                " sla_next_alert_at timestamptz) ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy(
                f"COPY sla_recompute (id, {', '.join(SLA_COLUMNS)}) FROM STDIN"
            ) as copy:
                for row in values:
                    copy.write_row(row)
            assignments = ", ".join(f"{name} = v.{name}" for name in SLA_COLUMNS)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM sla_recompute AS v WHERE t.id = v.id"  # noqa: S608
            )
            return
        assignments = ", ".join(f"{name} = %s" for name in SLA_COLUMNS)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
            [[*row[1:], row[0]] for row in values],
        )


def _write_batch(updates: list[tuple[int, dict[str, object]]], *, own_connection: bool) -> None:
    try:
        with transaction.atomic():
            _update_rows(updates)
            if updates:
                due_times_changed.send(sender=Ticket, ids=[pk for pk, _fields in updates])
    finally:
        if own_connection:
            connection.close()


def recompute_open_tickets(
    *,
    organization_id: int | None = None,
    batch_size: int = RECOMPUTE_BATCH,
    snap: Snapshot | None = None,
) -> int:
    """Recompute the due times of every active request (after a calendar, policy or contract edit).

    Walks the table by id in batches so memory stays flat; returns how many requests changed.
    On PostgreSQL, outside any transaction, writer threads with their own connections store
    batches while the next ones are read and decided, so the database uses both cores.
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
    # A second connection cannot see rows of an uncommitted transaction: only pipeline outside one.
    pipelined = connection.vendor == "postgresql" and not connection.in_atomic_block
    writer = ThreadPoolExecutor(max_workers=WRITERS) if pipelined else None
    pending: deque[Future[None]] = deque()
    try:
        while True:
            batch = list(base.filter(id__gt=last_id).values_list(*columns)[:batch_size])
            if not batch:
                break
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
            changed += len(updates)
            if writer is None:
                _write_batch(updates, own_connection=False)
                continue
            if len(pending) >= WRITERS:
                pending.popleft().result()
            pending.append(writer.submit(_write_batch, updates, own_connection=True))
        while pending:
            pending.popleft().result()
    finally:
        if writer is not None:
            writer.shutdown(wait=True)
    return changed


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
                    notify.first_response_overdue(ticket=ticket, due=due)
                    breached += 1
                ticket.sla_next_alert_at = None
            else:
                if _alert_once(ticket, SlaAlert.Kind.WARNING):
                    notify.first_response_due_soon(ticket=ticket, due=due)
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
