"""How the desk is doing: backlog, breaches, technicians' workload, reopen rate, one-touch
resolution (docs/reports.md); and which requests stand behind each figure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from soutien.accounts.models import User
from soutien.contracts.models import TimeEntry
from soutien.reports import facts, selectors
from soutien.reports.models import RequestFact
from soutien.reports.periods import Period, desk_zone
from soutien.ticketing.models import ACTIVE_STATUSES, Event, Message, Status, Ticket

# The backlog's ages, in whole days since the request was received: [low, high).
AGES: tuple[tuple[str, int, int | None], ...] = (
    ("0-1", 0, 1),
    ("1-3", 1, 3),
    ("3-7", 3, 7),
    ("7-30", 7, 30),
    ("30+", 30, None),
)
# What a technician sends the client: a response (SPEC 3), one "touch".
RESPONSES = facts.RESPONSES
REOPENED_FROM = (Status.RESOLVED, Status.CLOSED)
# The query parameters of a link to the requests behind a figure.
REPORT_PARAMS = (
    "report",
    "from",
    "to",
    "measure",
    "outcome",
    "group_by",
    "key",
    "level",
    "age",
    "organization",
)


def _scoped(qs: QuerySet[Ticket], organization_id: int | None) -> QuerySet[Ticket]:
    return qs if organization_id is None else qs.filter(organization_id=organization_id)


# --- Backlog --------------------------------------------------------------------------------


def backlog(*, organization_id: int | None = None) -> QuerySet[Ticket]:
    """Active requests (new, open, waiting on the client) now."""
    return _scoped(Ticket.objects.filter(status__in=ACTIVE_STATUSES), organization_id)


def _age_q(age: str, now: datetime) -> Q:
    for name, low, high in AGES:
        if name == age:
            q = Q(received_at__lte=now - timedelta(days=low))
            if high is not None:
                q &= Q(received_at__gt=now - timedelta(days=high))
            return q
    raise ValueError(age)


def backlog_by_level_and_age(
    *, organization_id: int | None = None, now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """{level key: {age: count}} of the active requests now, every level and age present."""
    now = now or timezone.now()
    found = {level: {name: 0 for name, _low, _high in AGES} for level in selectors.LEVELS}
    rows = (
        backlog(organization_id=organization_id)
        .order_by()
        .values("level")
        .annotate(**{f"age_{i}": Count("id", filter=_age_q(a[0], now)) for i, a in enumerate(AGES)})
    )
    for row in rows:
        key = selectors.NONE_KEY if row["level"] is None else str(row["level"])
        for i, (name, _low, _high) in enumerate(AGES):
            found[key][name] += row[f"age_{i}"]
    return found


# --- Breaches -------------------------------------------------------------------------------


def breached(
    period: Period,
    *,
    measure: str = "first_response",
    organization_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """Requests due in the period whose due time was missed (the SLA report's `breached`)."""
    conditions = selectors.outcome_filters(measure, now or timezone.now())
    return selectors.due_in(period, measure=measure, organization_id=organization_id).filter(
        conditions["breached"]
    )


def first_breaches(
    period: Period,
    *,
    limit: int = 200,
    measure: str = "first_response",
    organization_id: int | None = None,
    now: datetime | None = None,
) -> list[Ticket]:
    """The `limit` breached requests due soonest in the period (the console's breaches table).

    Found on the facts (a partial index holds the missed first responses, so a year where
    nearly every request was answered on time is not walked), then read from the requests.
    """
    now = now or timezone.now()
    due = "resolution_due" if measure == "resolution" else "first_response_due"
    late = selectors.outcome_filters(measure, now)["breached"]
    ids = list(
        selectors.facts_due_in(period, measure=measure, organization_id=organization_id)
        .filter(late)
        .order_by(due, "ticket_id")
        .values_list("ticket_id", flat=True)[:limit]
    )
    return list(
        breached(period, measure=measure, organization_id=organization_id, now=now)
        .filter(pk__in=ids)
        .select_related("organization", "assignee")
        .order_by(due, "id")
    )


# --- Technicians ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    technician: User
    open: int  # active requests assigned to them now
    answered: int  # requests they sent a response to in the period
    minutes: int  # time they logged that starts in the period


def workload(period: Period) -> list[Workload]:
    """Every technician (staff qualified for a level): open now, answered and time logged."""
    technicians = [u for u in User.objects.technicians() if u.levels]
    ids = [u.pk for u in technicians]
    open_now = dict(
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, assignee_id__in=ids)
        .order_by()
        .values("assignee_id")
        # COUNT(*), not COUNT(id): the (assignee, status) index answers alone, no table visit.
        .annotate(n=Count("*"))
        .values_list("assignee_id", "n")
    )
    answered = dict(
        Message.objects.filter(
            author_id__in=ids, kind__in=RESPONSES, at__gte=period.start, at__lt=period.end
        )
        .order_by()
        .values("author_id")
        .annotate(n=Count("ticket_id", distinct=True))
        .values_list("author_id", "n")
    )
    minutes = dict(
        TimeEntry.objects.filter(
            technician_id__in=ids, started_at__gte=period.start, started_at__lt=period.end
        )
        .order_by()
        .values("technician_id")
        .annotate(n=Sum("minutes"))
        .values_list("technician_id", "n")
    )
    return sorted(
        (
            Workload(u, open_now.get(u.pk, 0), answered.get(u.pk, 0), minutes.get(u.pk, 0) or 0)
            for u in technicians
        ),
        key=lambda w: w.technician.display_name.casefold(),
    )


# --- Reopen rate and one-touch resolution ---------------------------------------------------


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return round(self.part / self.whole, 4) if self.whole else None


def resolved_in(period: Period, *, organization_id: int | None = None) -> QuerySet[Ticket]:
    """Requests marked resolved at least once in the period (their history says so)."""
    events = Event.objects.filter(
        ticket_id=OuterRef("pk"),
        action=Event.Action.STATUS,
        data__to=Status.RESOLVED,
        at__gte=period.start,
        at__lt=period.end,
    )
    return _scoped(Ticket.objects.filter(Exists(events)), organization_id)


def reopened_in(period: Period, *, organization_id: int | None = None) -> QuerySet[Ticket]:
    """Of those, the ones taken out of resolved (or closed) afterwards, at any time."""
    later = Event.objects.filter(
        ticket_id=OuterRef("pk"),
        action=Event.Action.STATUS,
        data__from__in=REOPENED_FROM,
        data__to__in=ACTIVE_STATUSES,
        at__gte=period.start,
    )
    return resolved_in(period, organization_id=organization_id).filter(Exists(later))


def reopen_rate(period: Period, *, organization_id: int | None = None) -> Share:
    return Share(
        reopened_in(period, organization_id=organization_id).count(),
        resolved_in(period, organization_id=organization_id).count(),
    )


def resolved_now_in(period: Period, *, organization_id: int | None = None) -> QuerySet[Ticket]:
    """Requests resolved in the period and still resolved (or closed) now."""
    return _scoped(
        Ticket.objects.filter(resolved_at__gte=period.start, resolved_at__lt=period.end),
        organization_id,
    )


def one_touch(period: Period, *, organization_id: int | None = None) -> QuerySet[Ticket]:
    """Of those, the ones resolved with exactly one response to the client."""
    return (
        resolved_now_in(period, organization_id=organization_id)
        .annotate(responses=Count("messages", filter=Q(messages__kind__in=RESPONSES)))
        .filter(responses=1)
    )


def one_touch_rate(period: Period, *, organization_id: int | None = None) -> Share:
    """Counted on the requests' facts (their resolution moment and responses)."""
    rows = RequestFact.objects.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    found = rows.aggregate(part=Count("pk", filter=Q(responses=1)), whole=Count("pk"))
    return Share(found["part"], found["whole"])


# --- The requests behind a figure -----------------------------------------------------------


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def requests_behind(
    params: Mapping[str, str], *, now: datetime | None = None
) -> QuerySet[Ticket] | None:
    """The requests a report's figure counts, from the figure's link; None if it names none.

    `report`: sla (with measure, outcome, group_by and key), first-response (level), backlog
    (level, age), breaches (measure), reopened, one-touch; with `from` and `to` where the figure
    has a period and `organization` where it is one organization's.
    """
    now = now or timezone.now()
    report = params.get("report")
    first, last = _date(params.get("from")), _date(params.get("to"))
    period = Period(first, last) if first and last and first <= last else None
    try:
        organization_id = int(params["organization"]) if params.get("organization") else None
    except ValueError:
        return None
    measure = params.get("measure") if params.get("measure") in selectors.MEASURES else None
    measure = measure or "first_response"
    level = params.get("level") if params.get("level") in selectors.LEVELS else None
    if report == "sla" and period:
        qs = selectors.due_in(period, measure=measure, organization_id=organization_id)
        outcome = selectors.outcome_filters(measure, now).get(params.get("outcome", ""))
        if outcome is not None:
            qs = qs.filter(outcome)
        return _group(qs, params.get("group_by", ""), params.get("key", ""), measure)
    if report == "first-response" and period:
        return selectors.answered_in(period, level=level, organization_id=organization_id)
    if report == "backlog":
        qs = backlog(organization_id=organization_id)
        if level:
            qs = _group(qs, "level", level, measure)
        if params.get("age") in {name for name, _low, _high in AGES}:
            qs = qs.filter(_age_q(params["age"], now))
        return qs
    if report == "breaches" and period:
        return breached(period, measure=measure, organization_id=organization_id, now=now)
    if report == "reopened" and period:
        return reopened_in(period, organization_id=organization_id)
    if report == "one-touch" and period:
        return one_touch(period, organization_id=organization_id)
    return None


def _group(qs: QuerySet[Ticket], group_by: str, key: str, measure: str) -> QuerySet[Ticket]:
    if not group_by or not key:
        return qs
    none = key == selectors.NONE_KEY
    if group_by == "level":
        return qs.filter(level__isnull=True) if none else qs.filter(level=_int(key))
    if group_by == "organization":
        return qs.filter(organization_id=_int(key))
    if group_by == "technician":
        return qs.filter(assignee__isnull=True) if none else qs.filter(assignee_id=_int(key))
    if group_by == "month":
        try:
            year, month = (int(part) for part in key.split("-"))
            start = datetime(year, month, 1, tzinfo=desk_zone())
        except ValueError:
            return qs.none()
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=desk_zone())
        due = "resolution_due" if measure == "resolution" else "first_response_due"
        return qs.filter(**{f"{due}__gte": start, f"{due}__lt": end})
    return qs


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
