"""Free slots for a session: pure functions over plain data (no Django, no database).

A slot is `minutes` long, starts on a step of `step` minutes of local wall-clock time, lies
wholly inside the person's working hours (a `Calendar`), inside one of the wanted periods,
and overlaps nothing busy (the person's sessions and time off, the room's sessions).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from soutien.sla.calendar import Calendar

Span = tuple[datetime, datetime]
"""[start, end) between two aware instants."""


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping or touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlapping(
    spans: Sequence[Span], ends: Sequence[datetime], start: datetime, end: datetime
) -> bool:
    """Whether [start, end) meets a span of a sorted, merged list (`ends`: their ends)."""
    index = bisect_right(ends, start)  # the first span that ends after `start`
    return index < len(spans) and spans[index][0] < end


def fully_open(calendar: Calendar, start: datetime, end: datetime) -> bool:
    """Whether the calendar is open for every instant of [start, end)."""
    return calendar.service_seconds(start, end) == int((end - start).total_seconds())


def _aligned(moment: datetime, step: int, zone: ZoneInfo) -> datetime:
    """The first instant at or after `moment` whose local time is a multiple of `step` minutes."""
    local = moment.astimezone(zone)
    minute = local.hour * 60 + local.minute
    rounded = -(-minute // step) * step
    if rounded == minute and local.second == 0 and local.microsecond == 0:
        return moment
    return moment + timedelta(
        minutes=rounded - minute, seconds=-local.second, microseconds=-local.microsecond
    )


def free_starts(
    *,
    calendar: Calendar,
    periods: Sequence[Span],
    busy: Sequence[Span],
    minutes: int,
    step: int = 30,
) -> Iterator[datetime]:
    """Every start of a free slot inside `periods` (sorted), earliest first.

    Walks the open stretches of the calendar rather than every step of the periods: a month
    of nights and weekends is skipped in a few calls.
    """
    if minutes <= 0 or step <= 0:
        raise ValueError("minutes and step must be positive")
    length = timedelta(minutes=minutes)
    zone = ZoneInfo(calendar.zone)
    busy = merge(busy)
    ends = [end for _, end in busy]
    for period_start, period_end in merge(periods):
        moment = period_start
        while moment + length <= period_end:
            opening = calendar.next_opening(moment)
            if opening is None or opening + length > period_end:
                break
            start = _aligned(opening, step, zone)
            end = start + length
            if end > period_end:
                break
            if fully_open(calendar, start, end) and not overlapping(busy, ends, start, end):
                yield start
            moment = start + timedelta(minutes=step)
