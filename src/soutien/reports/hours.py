"""The reports' hours by day: per organization, desk-zone day and bank (HoursDay), kept in step.

Why: hours by month over a year joined every allocation of the year to its time entry (580,000
at a million requests, 2 to 4 s: docs/performance.md); a year of days is at most 365 rows per
organization and bank.

How it stays right (docs/reports.md), like the requests' facts (soutien.reports.facts): an
organization's day is recomputed from its time entries and allocations, never adjusted by a
difference, in the transaction of the change:
- a time entry saved (added, edited, moved to another day or organization) or deleted refreshes
  its day, and the day it left (read before the save);
- an allocation saved on its own refreshes its entry's day;
- the contracts domain's bulk reallocation of later entries (after an entry is edited or
  deleted: bulk_update, bulk_create, a queryset's delete, no save) says which entries it
  rewrote (`contracts.signals.entries_reallocated`).
Allocations deleted on their own are not listened to (a receiver would make every cascade load
and signal each row): the product deletes them only with their entry's save or deletion, or
in the bulk reallocation above. The periodic job `refresh_stale` compares every day with a
recount and mends what differs (a write made outside the product, in SQL); `rebuild` (command
`report-facts --rebuild`, and the migration that adds the table) recounts them all. The days
are the desk's time zone's (settings.TIME_ZONE): changing it calls for a rebuild.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_save, pre_save

from soutien.contracts.models import Allocation, TimeEntry
from soutien.contracts.signals import entries_reallocated
from soutien.reports.models import HoursDay
from soutien.reports.periods import desk_zone

logger = logging.getLogger(__name__)

BATCH = 5000
# Days further apart than this are recounted by separate queries.
GAP = timedelta(days=31)
# An organization's day; its rows as (bank id or None, logged, overage, drawn).
Key = tuple[int, date]
Row = tuple[int | None, int, int, int]
Rows = dict[Key, set[Row]]
# The entry's organization and start before a save, kept on the instance until after it.
BEFORE = "_reports_hours_before"
# A save of only other columns (a note) changes nothing counted here.
COUNTED = frozenset({"organization", "organization_id", "started_at", "minutes", "overage_minutes"})


def day_of(at: datetime) -> date:
    return at.astimezone(desk_zone()).date()


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=desk_zone())


def _recount(entries: QuerySet[TimeEntry], allocations: QuerySet[Allocation]) -> Rows:
    """The rows these entries and allocations make, by organization and day."""
    zone = desk_zone()
    found: Rows = defaultdict(set)
    totals = (
        entries.order_by()
        .values("organization_id", day=TruncDate("started_at", tzinfo=zone))
        .annotate(logged=Sum("minutes"), overage=Sum("overage_minutes"))
        .values_list("organization_id", "day", "logged", "overage")
    )
    for organization_id, day, logged, overage in totals:
        found[(organization_id, day)].add((None, logged, overage, 0))
    drawn = (
        allocations.order_by()
        .values(
            "bank_id",
            organization=F("entry__organization_id"),
            day=TruncDate("entry__started_at", tzinfo=zone),
        )
        .annotate(drawn=Sum("minutes"))
        .values_list("organization", "day", "bank_id", "drawn")
    )
    for organization_id, day, bank_id, minutes in drawn:
        found[(organization_id, day)].add((bank_id, 0, 0, minutes))
    return found


def _models(key: Key, rows: Iterable[Row]) -> Iterator[HoursDay]:
    for bank_id, logged, overage, drawn in rows:
        yield HoursDay(
            organization_id=key[0],
            day=key[1],
            bank_id=bank_id,
            logged_minutes=logged,
            overage_minutes=overage,
            drawn_minutes=drawn,
        )


def _runs(days: list[date]) -> Iterator[list[date]]:
    """Sorted days in runs without a gap wider than GAP."""
    run: list[date] = []
    for day in days:
        if run and day - run[-1] > GAP:
            yield run
            run = []
        run.append(day)
    if run:
        yield run


def refresh(keys: Iterable[Key]) -> None:
    """Recount these organizations' days from their time entries and allocations now."""
    by_organization: dict[int, set[date]] = defaultdict(set)
    for organization_id, day in keys:
        by_organization[organization_id].add(day)
    for organization_id in sorted(by_organization):  # one order everywhere: no deadlocks
        for days in _runs(sorted(by_organization[organization_id])):
            start, end = _start(days[0]), _start(days[-1] + timedelta(days=1))
            counted = _recount(
                TimeEntry.objects.filter(
                    organization_id=organization_id, started_at__gte=start, started_at__lt=end
                ),
                Allocation.objects.filter(
                    entry__organization_id=organization_id,
                    entry__started_at__gte=start,
                    entry__started_at__lt=end,
                ),
            )
            with transaction.atomic():
                HoursDay.objects.filter(organization_id=organization_id, day__in=days).delete()
                HoursDay.objects.bulk_create(
                    model
                    for day in days
                    for model in _models(
                        (organization_id, day), counted.get((organization_id, day), ())
                    )
                )


def rebuild() -> int:
    """Recount every organization's days; returns how many rows were written."""
    counted = _recount(TimeEntry.objects.all(), Allocation.objects.all())
    rows = [model for key in sorted(counted) for model in _models(key, counted[key])]
    with transaction.atomic():
        HoursDay.objects.all().delete()
        HoursDay.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def stale_keys() -> list[Key]:
    """Days whose rows differ from a recount of their entries (or are missing, or left over)."""
    counted = _recount(TimeEntry.objects.all(), Allocation.objects.all())
    stored: Rows = defaultdict(set)
    columns = ("organization_id", "day", "bank_id", "logged_minutes", "overage_minutes")
    for *key, bank_id, logged, overage, drawn in HoursDay.objects.values_list(
        *columns, "drawn_minutes"
    ):
        stored[(key[0], key[1])].add((bank_id, logged, overage, drawn))
    return sorted(
        key for key in counted.keys() | stored.keys() if counted.get(key) != stored.get(key)
    )


def refresh_stale() -> int:
    """The periodic job: recount every day that no longer matches its entries."""
    keys = stale_keys()
    if keys:
        logger.info("report hours: %d days stale, recounted", len(keys))
        refresh(keys)
    return len(keys)


# --- Kept in step with the time entries -------------------------------------------------------


def _counted(fields: Iterable[str] | None) -> bool:
    return fields is None or bool(COUNTED & set(fields))


def _entry_saving(sender: type[TimeEntry], instance: TimeEntry, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.pk is None or not _counted(kwargs.get("update_fields")):
        return
    instance.__dict__[BEFORE] = (
        TimeEntry.objects.filter(pk=instance.pk)
        .values_list("organization_id", "started_at")
        .first()
    )


def _entry_saved(sender: type[TimeEntry], instance: TimeEntry, **kwargs: Any) -> None:
    before = instance.__dict__.pop(BEFORE, None)
    if kwargs.get("raw") or not _counted(kwargs.get("update_fields")):
        return
    keys = {(instance.organization_id, day_of(instance.started_at))}
    if before is not None:
        keys.add((before[0], day_of(before[1])))
    refresh(keys)


def _entry_deleted(sender: type[TimeEntry], instance: TimeEntry, **kwargs: Any) -> None:
    refresh([(instance.organization_id, day_of(instance.started_at))])


def _allocation_saved(sender: type[Allocation], instance: Allocation, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    entry = (
        TimeEntry.objects.filter(pk=instance.entry_id)
        .values_list("organization_id", "started_at")
        .first()
    )
    if entry is not None:
        refresh([(entry[0], day_of(entry[1]))])


def _reallocated(
    sender: object, organization_id: int, moments: Iterable[datetime], **kwargs: Any
) -> None:
    refresh({(organization_id, day_of(moment)) for moment in moments})


def connect() -> None:
    """Called once when the app is ready."""
    pre_save.connect(_entry_saving, sender=TimeEntry, dispatch_uid="reports.hours.entry")
    post_save.connect(_entry_saved, sender=TimeEntry, dispatch_uid="reports.hours.entry")
    post_delete.connect(_entry_deleted, sender=TimeEntry, dispatch_uid="reports.hours.entry")
    post_save.connect(_allocation_saved, sender=Allocation, dispatch_uid="reports.hours.allocation")
    entries_reallocated.connect(_reallocated, dispatch_uid="reports.hours.reallocated")
