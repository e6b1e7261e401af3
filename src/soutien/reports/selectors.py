"""The figures of the reports, exactly as docs/reports.md defines them; reads only.

Every function takes the period and, for a client, its organization: what a reader may not see
is never counted, rather than filtered out afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import Organization, User
from soutien.contracts.models import Allocation, HourBank
from soutien.reports.models import HoursDay, RequestFact
from soutien.reports.periods import Period, desk_zone, month_key, month_starts, today
from soutien.satisfaction.models import Guarantee, Rating
from soutien.sla.engine import snapshot
from soutien.sla.models import ServiceCalendar
from soutien.ticketing.models import Ticket

# A request or its fact: both carry the due times and the organization under the same names.
Row = TypeVar("Row", Ticket, RequestFact)

GROUPS = ("level", "month", "organization", "technician")
MEASURES = ("first_response", "resolution")
LEVELS = ("none", "1", "2", "3")
# Upper bounds (minutes) of the first-response histogram's bins; the last bin has none.
HISTOGRAM_BOUNDS: tuple[int | None, ...] = (15, 30, 60, 120, 240, 480, 960, 1920, None)
# The bank forecast reads the rate of this many days, today included.
FORECAST_DAYS = 90
NONE_KEY = "none"


# --- SLA attainment -------------------------------------------------------------------------


@dataclass(frozen=True)
class Attainment:
    """One group's requests due in the period: met, breached, and those not yet decided."""

    key: str
    label: str
    met: int
    breached: int
    pending: int

    @property
    def total(self) -> int:
        """Requests decided: answered (or resolved), or past their due time."""
        return self.met + self.breached

    @property
    def attainment(self) -> float | None:
        return round(self.met / self.total, 4) if self.total else None


def _due_fields(measure: str) -> tuple[str, str]:
    """The due time and the moment it was met, for a measure."""
    if measure == "resolution":
        return "resolution_due", "resolved_at"
    return "first_response_due", "first_responded_at"


def _due_in(
    qs: QuerySet[Row], period: Period, measure: str, organization_id: int | None
) -> QuerySet[Row]:
    due = _due_fields(measure)[0]
    qs = qs.filter(**{f"{due}__gte": period.start, f"{due}__lt": period.end})
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs


def due_in(
    period: Period, *, measure: str = "first_response", organization_id: int | None = None
) -> QuerySet[Ticket]:
    """Requests whose due time (first response or resolution) falls in the period."""
    return _due_in(Ticket.objects.all(), period, measure, organization_id)


def outcome_filters(measure: str, now: datetime) -> dict[str, Q]:
    """met / breached / pending as conditions on a request row (docs/reports.md)."""
    due, done = _due_fields(measure)
    return {
        "met": Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)}),
        "breached": Q(**{f"{done}__gt": F(due)})
        | Q(**{f"{done}__isnull": True, f"{due}__lte": now}),
        "pending": Q(**{f"{done}__isnull": True, f"{due}__gt": now}),
    }


def _labels(group_by: str, keys: Iterable[object]) -> dict[object, str]:
    keys = [k for k in keys if k is not None]
    if group_by == "organization":
        return dict(Organization.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "technician":
        return {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
    return {}


def _level_label(key: object) -> str:
    if key is None:
        return str(_("Not triaged"))
    return str(_("Level %(level)s") % {"level": key})


def facts_due_in(
    period: Period, *, measure: str = "first_response", organization_id: int | None = None
) -> QuerySet[RequestFact]:
    """The facts of the requests `due_in` the period (same columns, same names)."""
    return _due_in(RequestFact.objects.all(), period, measure, organization_id)


def sla_attainment(
    period: Period,
    *,
    group_by: str = "level",
    measure: str = "first_response",
    organization_id: int | None = None,
    now: datetime | None = None,
) -> list[Attainment]:
    """Attainment of the first response (or the resolution target) per group, in key order.

    Counted on the requests' facts (soutien.reports.facts): met, breached and pending are
    decided here, against `now`, from the due time and the moment it was met.
    """
    now = now or timezone.now()
    expression = {
        "level": F("level"),
        "organization": F("organization_id"),
        "technician": F("assignee_id"),
        "month": F("resolution_month" if measure == "resolution" else "first_response_month"),
    }[group_by]
    conditions = outcome_filters(measure, now)
    rows = list(
        facts_due_in(period, measure=measure, organization_id=organization_id)
        .order_by()
        .values(group=expression)
        .annotate(**{name: Count("pk", filter=q) for name, q in conditions.items()})
    )
    labels = _labels(group_by, (row["group"] for row in rows))
    found: list[Attainment] = []
    for row in rows:
        group = row["group"]
        if group_by == "month":
            key = label = f"{group:%Y-%m}"
        elif group_by == "level":
            key, label = (NONE_KEY if group is None else str(group)), _level_label(group)
        elif group is None:
            key = NONE_KEY
            label = str(_("Unassigned")) if group_by == "technician" else ""
        else:
            key, label = str(group), labels.get(group, str(group))
        found.append(Attainment(key, label, row["met"], row["breached"], row["pending"]))
    return sorted(found, key=_sort_key(group_by))


def _sort_key(group_by: str) -> Callable[[Attainment], tuple[int, str]]:
    def key(item: Attainment) -> tuple[int, str]:
        # "none" (not triaged, unassigned) last; the others by key (levels, months) or name.
        if item.key == NONE_KEY:
            return (1, "")
        if group_by in ("organization", "technician"):
            return (0, item.label.casefold())
        return (0, item.key.zfill(8))

    return key


# --- First-response times -------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    upper_minutes: int | None
    count: int


@dataclass(frozen=True)
class Distribution:
    """Median, 90th percentile (nearest rank) and histogram of a list of whole minutes."""

    count: int
    median_minutes: int | None
    p90_minutes: int | None
    histogram: list[Bin]


def nearest_rank(ordered: list[int], percent: int) -> int | None:
    """The smallest value with at least `percent` % of the values at or below it."""
    if not ordered:
        return None
    rank = (percent * len(ordered) + 99) // 100
    return ordered[max(rank, 1) - 1]


def distribution(values: Iterable[int]) -> Distribution:
    return counted(Counter(values))


def _rank_value(ordered: list[tuple[int, int]], total: int, percent: int) -> int | None:
    """`nearest_rank` over (value, how many) pairs in value order."""
    if not total:
        return None
    rank = max((percent * total + 99) // 100, 1)
    seen = 0
    for value, n in ordered:
        seen += n
        if seen >= rank:
            return value
    return None  # not reached: the counts add up to `total`


def counted(counts: Mapping[int, int]) -> Distribution:
    """The distribution of values given as {value: how many times}."""
    ordered = sorted((value, n) for value, n in counts.items() if n)
    total = sum(n for _value, n in ordered)
    bins = [0] * len(HISTOGRAM_BOUNDS)
    for value, n in ordered:
        for index, upper in enumerate(HISTOGRAM_BOUNDS):
            if upper is None or value <= upper:
                bins[index] += n
                break
    return Distribution(
        count=total,
        median_minutes=_rank_value(ordered, total, 50),
        p90_minutes=_rank_value(ordered, total, 90),
        histogram=[Bin(upper, n) for upper, n in zip(HISTOGRAM_BOUNDS, bins, strict=True)],
    )


@dataclass(frozen=True)
class FirstResponse:
    service: Distribution
    clock: Distribution


def answered_in(
    period: Period, *, level: str | None = None, organization_id: int | None = None
) -> QuerySet[Ticket]:
    """Requests received in the period that have had their first response (docs/reports.md)."""
    qs = Ticket.objects.filter(
        received_at__gte=period.start,
        received_at__lt=period.end,
        first_responded_at__isnull=False,
        sla_calendar__isnull=False,
    )
    if level == NONE_KEY:
        qs = qs.filter(level__isnull=True)
    elif level:
        qs = qs.filter(level=int(level))
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs


def _answered_facts(
    period: Period, *, level: str | None = None, organization_id: int | None = None
) -> QuerySet[RequestFact]:
    """The facts of `answered_in`: received in the period, answered, with a calendar."""
    qs = RequestFact.objects.filter(
        received_at__gte=period.start, received_at__lt=period.end, service_minutes__isnull=False
    )
    if level == NONE_KEY:
        qs = qs.filter(level__isnull=True)
    elif level:
        qs = qs.filter(level=int(level))
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs


def first_response_times(
    period: Period, *, level: str | None = None, organization_id: int | None = None
) -> FirstResponse:
    """Time to first response, in service minutes (governing calendar) and clock minutes.

    Read from the facts, minutes counted per value; the facts of a calendar edited since they
    were computed (not refreshed yet) are worked out here, on the calendar as it is now.
    """
    facts = _answered_facts(period, level=level, organization_id=organization_id).order_by()
    current = Q(pk__in=[])
    for calendar_id, revision in ServiceCalendar.objects.values_list("id", "revision"):
        current |= Q(calendar_id=calendar_id, calendar_revision=revision)
    service: Counter[int] = Counter()
    clock: Counter[int] = Counter()
    for counts, column in ((service, "service_minutes"), (clock, "clock_minutes")):
        for value, n in (
            facts.filter(current).values(column).annotate(n=Count("pk")).values_list(column, "n")
        ):
            counts[value] += n
    stale = facts.exclude(current).values_list("received_at", "first_responded_at", "calendar_id")
    if stale.exists():
        snap = snapshot()
        for received, responded, governing in stale.iterator(chunk_size=5000):
            assert responded is not None
            assert governing is not None
            service[snap.calendar(governing).service_seconds(received, responded) // 60] += 1
            clock[int((responded - received).total_seconds()) // 60] += 1
    return FirstResponse(service=counted(service), clock=counted(clock))


# --- Hours and banks ------------------------------------------------------------------------


@dataclass
class MonthHours:
    """Minutes logged by one organization in one month: by bank, overage, the rest quoted."""

    organization_id: int
    organization: str
    month: str
    logged_minutes: int = 0
    overage_minutes: int = 0
    banks: dict[int, int] = field(default_factory=dict)

    @property
    def bank_minutes(self) -> int:
        return sum(self.banks.values())

    @property
    def quoted_minutes(self) -> int:
        """Minutes of quoted work (a development agreement), drawn from no bank and not overage."""
        return self.logged_minutes - self.overage_minutes - sum(self.banks.values())


@dataclass(frozen=True)
class BankBalance:
    bank: HourBank
    drawn_recently: int  # minutes drawn in the last FORECAST_DAYS days, today included
    depletes_on: date | None

    @property
    def daily_rate(self) -> float:
        return self.drawn_recently / FORECAST_DAYS


def hours_by_month(period: Period, *, organization_id: int | None = None) -> list[MonthHours]:
    """Per organization and month (of each entry's start): logged, by bank, overage.

    Summed from the days kept by soutien.reports.hours (HoursDay), at most one row per
    organization, day and bank.
    """
    names = dict(Organization.objects.values_list("pk", "name"))
    months = month_starts(period)
    keys = [key for key, _start in months]
    # Each day's month by comparison with the months' first days (an index into `keys`).
    month = Case(
        *[
            When(day__lt=start.date(), then=Value(i - 1))
            for i, (_key, start) in enumerate(months)
            if i
        ],
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )
    days = HoursDay.objects.filter(day__gte=period.first, day__lte=period.last)
    if organization_id is not None:
        days = days.filter(organization_id=organization_id)
    rows = (
        days.order_by()
        .values("organization_id", "bank_id", month=month)
        .annotate(
            logged=Sum("logged_minutes"),
            overage=Sum("overage_minutes"),
            drawn=Sum("drawn_minutes"),
        )
    )
    found: dict[tuple[int, str], MonthHours] = {}
    for row in rows:
        key = (row["organization_id"], keys[row["month"]])
        hours = found.get(key)
        if hours is None:
            hours = found[key] = MonthHours(
                organization_id=key[0], organization=names.get(key[0], ""), month=key[1]
            )
        if row["bank_id"] is None:
            hours.logged_minutes = row["logged"] or 0
            hours.overage_minutes = row["overage"] or 0
        elif row["drawn"]:
            hours.banks[row["bank_id"]] = row["drawn"]
    return sorted(found.values(), key=lambda h: (h.organization.casefold(), h.month))


def forecast(left: int, drawn_recently: int, on: date, valid_until: date) -> date | None:
    """The day a bank runs out at its recent rate; None if empty, unused or it expires first."""
    if left <= 0 or drawn_recently <= 0:
        return None
    days = -(-left * FORECAST_DAYS // drawn_recently)
    depletes = on + timedelta(days=days)
    return depletes if depletes <= valid_until else None


def bank_balances(period: Period, *, organization_id: int | None = None) -> list[BankBalance]:
    """Banks valid during the period, with what is left now and the depletion forecast."""
    banks = HourBank.objects.filter(
        valid_from__lte=period.last, valid_until__gte=period.first
    ).select_related("organization", "contract", "subscription__plan")
    if organization_id is not None:
        banks = banks.filter(organization_id=organization_id)
    banks = banks.order_by("organization__name", "valid_until", "id")
    day = today()
    window = Period(day - timedelta(days=FORECAST_DAYS - 1), day)
    recent = dict(
        Allocation.objects.filter(
            bank__in=banks.values("pk"),
            entry__started_at__gte=window.start,
            entry__started_at__lt=window.end,
        )
        .order_by()
        .values("bank_id")
        .annotate(minutes=Sum("minutes"))
        .values_list("bank_id", "minutes")
    )
    return [
        BankBalance(
            bank=bank,
            drawn_recently=recent.get(bank.pk, 0),
            depletes_on=forecast(bank.left_minutes, recent.get(bank.pk, 0), day, bank.valid_until),
        )
        for bank in banks
    ]


# --- Satisfaction ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionMonth:
    month: str
    good: int
    bad: int


@dataclass(frozen=True)
class Satisfaction:
    good: int
    bad: int
    open_follow_ups: int
    months: list[SatisfactionMonth]
    guarantees: dict[str, int]  # invoked in the period, by state now

    @property
    def count(self) -> int:
        return self.good + self.bad

    @property
    def score(self) -> float | None:
        """Share of good ratings."""
        return round(self.good / self.count, 4) if self.count else None


def satisfaction(period: Period, *, organization_id: int | None = None) -> Satisfaction:
    """Ratings as they stand, given or last changed in the period, by month of that change."""
    qs = Rating.objects.filter(updated_at__gte=period.start, updated_at__lt=period.end)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    rows = (
        qs.order_by()
        .values(month=TruncMonth("updated_at", tzinfo=desk_zone()))
        .annotate(
            good=Count("id", filter=Q(value=Rating.Value.GOOD)),
            bad=Count("id", filter=Q(value=Rating.Value.BAD)),
        )
    )
    months = sorted(
        (SatisfactionMonth(month_key(r["month"]), r["good"], r["bad"]) for r in rows),
        key=lambda m: m.month,
    )
    return Satisfaction(
        good=sum(m.good for m in months),
        bad=sum(m.bad for m in months),
        open_follow_ups=qs.filter(value=Rating.Value.BAD, followed_up_at__isnull=True).count(),
        months=months,
        guarantees=guarantees_by_state(period, organization_id=organization_id),
    )


def guarantees_by_state(period: Period, *, organization_id: int | None = None) -> dict[str, int]:
    """Guarantees invoked in the period: how many, and how many of each state now."""
    qs = Guarantee.objects.filter(invoked_at__gte=period.start, invoked_at__lt=period.end)
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    found = dict.fromkeys(Guarantee.State.values, 0)
    for state, n in qs.order_by().values("state").annotate(n=Count("id")).values_list("state", "n"):
        found[state] = n
    return {"invoked": sum(found.values()), **found}
