"""A brute-force oracle for business calendars, independent of soutien.sla.calendar.

It asks "is this instant open?" straight from the definition -- convert the instant to the
zone, look at the local date and wall-clock time -- and walks real time in steps of a minute
(a second where the walk is not on a whole minute). That is slow and obviously right: open
windows start and end on whole local minutes, and every zone used in the tests has a UTC
offset of whole minutes, so openness cannot change inside a whole UTC minute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

ONE_SECOND = timedelta(seconds=1)
ONE_MINUTE = timedelta(minutes=1)


class WalkTooLong(AssertionError):
    """The oracle gave up: the calendar has no open time within its walking horizon."""


@dataclass(frozen=True)
class Spec:
    """A calendar as the tests describe it: windows may overlap or come unsorted."""

    zone: str
    windows: Mapping[int, Sequence[tuple[int, int]]]
    closed: frozenset[date] = frozenset()
    always_open: bool = False


def is_open(spec: Spec, at: datetime) -> bool:
    """Whether `at` is open: its local date is not closed and its wall clock is in a window."""
    if spec.always_open:
        return True
    local = at.astimezone(ZoneInfo(spec.zone))
    if local.date() in spec.closed:
        return False
    wall_seconds = local.hour * 3600 + local.minute * 60 + local.second
    return any(
        start * 60 <= wall_seconds < end * 60
        for start, end in spec.windows.get(local.weekday(), ())
    )


def _step(at: datetime, remaining: timedelta | None = None) -> timedelta:
    """A whole minute when `at` is on one (and it fits what is left), else a second."""
    on_minute = at.second == 0 and at.microsecond == 0
    if on_minute and (remaining is None or remaining >= ONE_MINUTE):
        return ONE_MINUTE
    return ONE_SECOND


def add(spec: Spec, start: datetime, minutes: int, horizon_days: int = 800) -> datetime:
    """Walk from start until `minutes` minutes of open time have passed (whole-second starts)."""
    assert start.microsecond == 0, "the oracle walks whole seconds"
    at = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    give_up = at + timedelta(days=horizon_days)
    while remaining:
        step = _step(at, remaining)
        if is_open(spec, at):
            remaining -= step
        at += step
        if at > give_up:
            raise WalkTooLong(spec)
    return at


def due_times(spec: Spec, start: datetime, max_minutes: int) -> list[datetime]:
    """The due time for every target 1..max_minutes from a whole-minute start, in one walk."""
    assert start.second == 0, "whole-minute starts only"
    assert start.microsecond == 0, "whole-minute starts only"
    at = start.astimezone(UTC)
    give_up = at + timedelta(days=800)
    dues: list[datetime] = []
    while len(dues) < max_minutes:
        if is_open(spec, at):
            dues.append(at + ONE_MINUTE)
        at += ONE_MINUTE
        if at > give_up:
            raise WalkTooLong(spec)
    return dues


def service_seconds(spec: Spec, a: datetime, b: datetime) -> int:
    """Seconds of open time between two whole-second instants a <= b."""
    assert a <= b
    assert a.microsecond == 0, "the oracle walks whole seconds"
    assert b.microsecond == 0, "the oracle walks whole seconds"
    at, end = a.astimezone(UTC), b.astimezone(UTC)
    total = timedelta()
    while at < end:
        step = _step(at, end - at)
        if is_open(spec, at):
            total += step
        at += step
    return int(total.total_seconds())


def next_opening(spec: Spec, at: datetime, horizon_days: int = 60) -> datetime | None:
    """The first open instant at or after a whole-second `at`; None past the horizon."""
    at = at.astimezone(UTC)
    give_up = at + timedelta(days=horizon_days)
    while at < give_up:
        if is_open(spec, at):
            return at
        at += _step(at)
    return None


def next_closing(spec: Spec, at: datetime, horizon_days: int = 60) -> datetime | None:
    """The first closed instant after the next opening; None if none within the horizon."""
    opening = next_opening(spec, at, horizon_days)
    if opening is None:
        return None
    at = opening
    give_up = at + timedelta(days=horizon_days)
    while at < give_up:
        if not is_open(spec, at):
            return at
        at += _step(at)
    return None


@cache
def offset_changes(zone: str, first_year: int, last_year: int) -> tuple[datetime, ...]:
    """The UTC hours in which the zone's UTC offset changes (hourly scan), in UTC."""
    tz = ZoneInfo(zone)
    at = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    changes = []
    offset = at.astimezone(tz).utcoffset()
    while at < end:
        at += timedelta(hours=1)
        new_offset = at.astimezone(tz).utcoffset()
        if new_offset != offset:
            changes.append(at)
            offset = new_offset
    return tuple(changes)
