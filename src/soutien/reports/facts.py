"""The reports' facts: one row per request (RequestFact), kept in step with the request.

Why: over a million requests the figures cannot be worked out from the request table at read
time within a second (docs/performance.md): the first-response distribution needs service
minutes on each request's calendar (Python arithmetic), grouping by month a time-zone
conversion per row, one-touch resolution a count of each request's responses. A fact holds
them precomputed, next to the few columns the reports read.

How it stays right (docs/reports.md):
- in the same transaction as the change: every save of a request (triage, assignment, first
  response, due time, resolution, reopening, merge) and every response added or deleted
  refreshes its fact (post_save, post_delete), the SLA
  domain's bulk recomputation of due times says which requests it rewrote (due_times_changed),
  and deleting a technician or a calendar (which clears the requests' column in SQL) refreshes
  the facts that named them;
- a calendar edited since a fact was computed (hours, closures) makes its service minutes
  stale: the reports read such facts live (first_response_times) until they are refreshed;
- the periodic job `refresh_stale` compares every fact with its request and refreshes what
  differs (a write made outside the product, in SQL), and the stale calendars' facts;
- `rebuild` (management command `report-facts --rebuild`, and the migration that adds the
  table) computes every fact from the requests.
What a fact does not hold is what depends on the reading moment: whether an unanswered request
is breached or still pending is decided when the report is read, from the due time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.signals import post_delete, post_save

from soutien.accounts.models import User
from soutien.reports.models import RequestFact
from soutien.reports.periods import desk_zone
from soutien.sla.engine import Snapshot, snapshot
from soutien.sla.models import ServiceCalendar
from soutien.sla.signals import due_times_changed
from soutien.ticketing.models import Message, MessageKind, Ticket

logger = logging.getLogger(__name__)

BATCH = 5000
# What a technician sends the client (SPEC 3): counted for one-touch resolution.
RESPONSES = (MessageKind.REPLY, MessageKind.PHONE_CALL, MessageKind.TELECONFERENCE)
# The request's columns a fact is made of, in this order.
SOURCE = (
    "id",
    "organization_id",
    "level",
    "assignee_id",
    "received_at",
    "first_response_due",
    "first_responded_at",
    "resolution_due",
    "resolved_at",
    "sla_calendar_id",
)
# Saves of a request that change nothing a fact holds (the alert job's bookkeeping) are skipped;
# every other save refreshes the fact (a merge moves messages in SQL, then saves the request).
IGNORED = frozenset({"sla_next_alert_at", "sla_warn_at"})
# The fact's column for each request column of SOURCE[1:]: the same names but the calendar's.
FACT_COLUMNS = tuple("calendar_id" if c == "sla_calendar_id" else c for c in SOURCE[1:])
UPDATED = [f.name for f in RequestFact._meta.concrete_fields if f.name != "ticket"]


def _month(at: datetime | None) -> date | None:
    return None if at is None else at.astimezone(desk_zone()).date().replace(day=1)


def _responses(ids: Sequence[int]) -> dict[int, int]:
    return dict(
        Message.objects.filter(ticket_id__in=ids, kind__in=RESPONSES)
        .order_by()
        .values("ticket_id")
        .annotate(n=Count("pk"))
        .values_list("ticket_id", "n")
    )


def _between(first: int, last: int) -> dict[int, int]:
    return dict(
        Message.objects.filter(ticket_id__gte=first, ticket_id__lte=last, kind__in=RESPONSES)
        .order_by()
        .values("ticket_id")
        .annotate(n=Count("pk"))
        .values_list("ticket_id", "n")
    )


def _fact(row: Sequence[Any], snap: Snapshot, responses: dict[int, int]) -> RequestFact:
    (pk, organization_id, level, assignee_id, received, due, responded) = row[:7]
    resolution_due, resolved, calendar_id = row[7:]
    revision = service = clock = None
    if calendar_id is not None:
        snap.calendar(calendar_id)  # loads a calendar newer than the snapshot
        revision = snap.rows[calendar_id].revision
        if responded is not None:
            service = snap.calendar(calendar_id).service_seconds(received, responded) // 60
            clock = int((responded - received).total_seconds()) // 60
    return RequestFact(
        ticket_id=pk,
        organization_id=organization_id,
        level=level,
        assignee_id=assignee_id,
        received_at=received,
        first_response_due=due,
        first_response_month=_month(due),
        first_responded_at=responded,
        resolution_due=resolution_due,
        resolution_month=_month(resolution_due),
        resolved_at=resolved,
        calendar_id=calendar_id,
        calendar_revision=revision,
        service_minutes=service,
        clock_minutes=clock,
        responses=responses.get(pk, 0),
    )


def _store(facts: list[RequestFact]) -> None:
    if facts:
        RequestFact.objects.bulk_create(
            facts, update_conflicts=True, unique_fields=["ticket"], update_fields=UPDATED
        )


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    ordered = sorted(set(ids))  # the same order everywhere: concurrent refreshes never deadlock
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def refresh(ticket_ids: Iterable[int]) -> int:
    """Recompute the facts of these requests from them now; returns how many were written."""
    written = 0
    snap = snapshot()
    for chunk in _chunks(ticket_ids, BATCH):
        rows = Ticket.objects.filter(pk__in=chunk).order_by("pk").values_list(*SOURCE)
        responses = _responses(chunk)
        facts = [_fact(row, snap, responses) for row in rows]
        with transaction.atomic():
            _store(facts)
        written += len(facts)
    return written


def rebuild(*, batch_size: int = BATCH) -> int:
    """Compute the fact of every request, walking the requests by id; returns how many."""
    snap = snapshot()
    written = last_id = 0
    base = Ticket.objects.order_by("pk").values_list(*SOURCE)
    while True:
        rows = list(base.filter(pk__gt=last_id)[:batch_size])
        if not rows:
            return written
        responses = _between(rows[0][0], rows[-1][0])
        last_id = rows[-1][0]
        with transaction.atomic():
            _store([_fact(row, snap, responses) for row in rows])
        written += len(rows)


def _differs(request_column: str, fact_column: str) -> str:
    """SQL: the request's column and the fact's differ (NULL equal to NULL)."""
    if connection.vendor == "postgresql":
        return f"t.{request_column} IS DISTINCT FROM f.{fact_column}"
    if request_column.endswith(("_at", "_due")):
        # SQLite keeps moments as text, not always in one format (with or without "+00:00").
        return f"julianday(t.{request_column}) IS NOT julianday(f.{fact_column})"
    return f"t.{request_column} IS NOT f.{fact_column}"


def stale_ids() -> list[int]:
    """Requests whose fact is missing or differs from them, or whose calendar changed since."""
    conditions = " OR ".join(_differs(t, f) for t, f in zip(SOURCE[1:], FACT_COLUMNS, strict=True))
    revision = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    sql = (
        f"SELECT t.id FROM {Ticket._meta.db_table} t"  # noqa: S608 (names from the models)
        f" LEFT JOIN {RequestFact._meta.db_table} f ON f.ticket_id = t.id"
        f" LEFT JOIN {ServiceCalendar._meta.db_table} c ON c.id = t.sla_calendar_id"
        f" WHERE f.ticket_id IS NULL OR {conditions}"
        f" OR f.calendar_revision {revision} c.revision"
        f" OR f.responses <> (SELECT COUNT(*) FROM {Message._meta.db_table} m"
        f" WHERE m.ticket_id = t.id AND m.kind IN ({', '.join(['%s'] * len(RESPONSES))}))"
        " ORDER BY t.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(kind) for kind in RESPONSES])
        return [row[0] for row in cursor.fetchall()]


def refresh_stale() -> int:
    """The periodic job: refresh every fact that no longer matches its request."""
    ids = stale_ids()
    if ids:
        logger.info("report facts: %d stale, refreshed", len(ids))
    return refresh(ids)


# --- Kept in step with the requests ---------------------------------------------------------


def _ticket_saved(sender: type[Ticket], instance: Ticket, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (fields is not None and set(fields) <= IGNORED):
        return
    refresh([instance.pk])


def _message_changed(sender: type[Message], instance: Message, **kwargs: Any) -> None:
    if instance.kind in RESPONSES and not kwargs.get("raw"):
        refresh([instance.ticket_id])


def _due_times_changed(sender: object, ids: Sequence[int], **kwargs: Any) -> None:
    refresh(ids)


def _user_deleted(sender: type[User], instance: User, **kwargs: Any) -> None:
    # Their requests' assignee was cleared in SQL (SET_NULL), without a save.
    ids = RequestFact.objects.filter(assignee_id=instance.pk).values_list("ticket_id", flat=True)
    refresh(list(ids))


def _calendar_deleted(sender: type[ServiceCalendar], instance: ServiceCalendar, **kw: Any) -> None:
    ids = RequestFact.objects.filter(calendar_id=instance.pk).values_list("ticket_id", flat=True)
    refresh(list(ids))


def connect() -> None:
    """Called once when the app is ready."""
    post_save.connect(_ticket_saved, sender=Ticket, dispatch_uid="reports.facts.ticket")
    post_save.connect(_message_changed, sender=Message, dispatch_uid="reports.facts.message")
    post_delete.connect(_message_changed, sender=Message, dispatch_uid="reports.facts.message")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="reports.facts.user")
    post_delete.connect(
        _calendar_deleted, sender=ServiceCalendar, dispatch_uid="reports.facts.calendar"
    )
    due_times_changed.connect(_due_times_changed, dispatch_uid="reports.facts.due_times")
