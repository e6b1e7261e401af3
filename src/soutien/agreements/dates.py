"""Days of an agreement read on the standard service calendar of the published policy.

A delivery date is promised "by the close of service that day"; a delivery the client does not
confirm is taken as delivered at the close of the N-th business day after the notice. Both
come from the calendar of the policy in force (holidays, closures and DST included).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from soutien.sla.calendar import Calendar
from soutien.sla.engine import snapshot

# Without any published policy (never in practice): Monday to Friday, Eastern time.
_FALLBACK = Calendar.weekly("America/Toronto", {day: [(8 * 60, 17 * 60)] for day in range(5)})


def standard_calendar(at: datetime) -> Calendar:
    """The standard service hours of the policy in force at `at`."""
    snap = snapshot()
    policy = snap.policy_at(at)
    return snap.calendar(policy.calendar_id) if policy is not None else _FALLBACK


def _day_bounds(calendar: Calendar, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(calendar.zone)
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def local_date(at: datetime, calendar: Calendar | None = None) -> date:
    """The date of an instant in the vendor's time zone."""
    calendar = calendar or standard_calendar(at)
    return at.astimezone(ZoneInfo(calendar.zone)).date()


def has_service(calendar: Calendar, day: date) -> bool:
    start, end = _day_bounds(calendar, day)
    opening = calendar.next_opening(start)
    return opening is not None and opening < end


def close_of_day(day: date, calendar: Calendar | None = None) -> datetime:
    """When service closes on `day` (its last open stretch); its last second if it does not open."""
    if calendar is None:
        calendar = standard_calendar(_day_bounds(_FALLBACK, day)[0])
    start, end = _day_bounds(calendar, day)
    last = end - timedelta(seconds=1)
    moment = start
    while True:
        opening = calendar.next_opening(moment)
        if opening is None or opening >= end:
            break
        closing = calendar.next_closing(opening)
        if closing is None or closing >= end:
            return end - timedelta(seconds=1)
        last = moment = closing
    return last


def business_days_after(at: datetime, days: int) -> datetime:
    """The close of service on the `days`-th business day after the day of `at`."""
    calendar = standard_calendar(at)
    day = local_date(at, calendar)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if has_service(calendar, day):
            counted += 1
    return close_of_day(day, calendar)
