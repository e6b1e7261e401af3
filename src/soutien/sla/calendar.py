"""Business-time arithmetic for SLA due times, exact to the microsecond.

Plain data in, aware datetimes in and out; no Django here.

A `Calendar` is an IANA time zone, weekly open windows in local wall-clock time, a set of
closed local dates (holidays, a manager's closures) and a 24/7 mode.

Semantics
---------
* An instant t is *open* iff its local wall-clock time (t converted to the calendar's zone)
  falls in an open window ``[start, end)`` of its local weekday and its local date is not
  closed -- or the calendar is 24/7 (`always_open`), which is open at every instant.
* *Service time* between two instants is the real elapsed time during which the calendar is
  open. On the fall-back night a window covering 01:00-02:00 is therefore open for both
  occurrences of that hour; on the spring-forward night the skipped wall-clock times never
  happen, so they add nothing. Windows that do not touch a transition (08:00-17:00) only see
  their UTC offset change.
* ``add(start, minutes)`` is the earliest instant t >= start such that the service time in
  ``[start, t]`` is exactly ``minutes`` minutes: a target reached exactly at a closing is due
  at that closing, not at the next opening, and a start outside hours counts from the next
  opening.
* Windows are whole minutes since local midnight, ``0 <= start < end <= 1440`` (so 24:00 is
  expressible; a shift through midnight is two windows). A window is closed at its end.
* Every datetime returned is aware and in UTC; convert it for display.

How it is fast
--------------
Each local day is turned once into its open intervals in real time (integer microseconds
since the Unix epoch) and cached on the calendar. On an ordinary day that is the windows
shifted by the day's single UTC offset; only the few days near a UTC-offset change are cut
into pieces of constant offset. Offset changes are found per zone and year by sampling the
offset hourly and bisecting to the second, which assumes no zone changes its offset twice
within one hour. Long targets skip whole weeks arithmetically: a week of service is the sum
of the windows, less the closed dates in the span (prefix sums over the sorted dates), plus
the difference on days near an offset change.

Local dates are assumed never to run backwards in real time, i.e. no fall-back crosses
local midnight into the previous date. That holds for every zone of the tz database from 2012
on; before, Newfoundland and a few Atlantic zones fell back at 00:01, and across such a
change `add` and `next_opening` could take that minute's pieces in the wrong order
(`is_open` and `service_seconds` are unaffected). A test checks the assumption for the zones
this project uses.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["MINUTES_PER_DAY", "Calendar", "quebec_holidays"]

MINUTES_PER_DAY = 1440

_US = timedelta(microseconds=1)
_SECOND = 1_000_000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_EPOCH_WEEKDAY = _EPOCH.weekday()  # a Thursday: day index 0 is weekday 3
# Farther from UTC than any offset a zone has had, so an offset change outside
# [midnight - _MARGIN, next midnight + _MARGIN] (both read as UTC) cannot touch that local day.
_MARGIN = 26 * _HOUR
_FAR = 1 << 80  # stands for +/- infinity among microsecond instants
# A calendar caches the intervals of the days it has seen; a server that runs for years
# without restarting should not grow that cache without bound.
_DAY_CACHE_LIMIT = 20_000

Window = tuple[int, int]
"""An open window: (start, end) in minutes since local midnight, end excluded."""
DayWindows = tuple[Window, ...]
Interval = tuple[int, int]
"""Open real time: (start, end) in microseconds since the Unix epoch, end excluded."""

_FULL_DAY: DayWindows = ((0, MINUTES_PER_DAY),)
_FULL_WEEK: tuple[DayWindows, ...] = (_FULL_DAY,) * 7


@dataclass(frozen=True, slots=True)
class Calendar:
    """Weekly open windows in a time zone, less closed dates; immutable and hashable."""

    zone: str
    windows: tuple[DayWindows, ...]
    """Seven entries, Monday first; each sorted, non-overlapping, non-touching windows."""
    closed_dates: frozenset[date] = frozenset()
    always_open: bool = False

    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    _windows_us: tuple[tuple[Interval, ...], ...] = field(init=False, repr=False, compare=False)
    _day_service: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _week_service: int = field(init=False, repr=False, compare=False)
    _closed_days: frozenset[int] = field(init=False, repr=False, compare=False)
    _closed_sorted: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _closed_prefix: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _continuous: bool = field(init=False, repr=False, compare=False)
    _days: dict[int, tuple[Interval, ...]] = field(init=False, repr=False, compare=False)

    # -- construction -------------------------------------------------------------------

    @classmethod
    def weekly(
        cls,
        zone: str,
        windows: Mapping[int, Sequence[tuple[int, int]]],
        closed_dates: Iterable[date] = (),
    ) -> Calendar:
        """Build a calendar from windows per weekday (0 = Monday); overlaps are merged."""
        week: list[DayWindows] = [() for _ in range(7)]
        for weekday, day_windows in windows.items():
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            week[weekday] = _merge_windows(day_windows)
        return cls(zone, tuple(week), frozenset(closed_dates))

    @classmethod
    def always(cls, zone: str = "UTC") -> Calendar:
        """A 24/7 calendar: service time is real elapsed time."""
        return cls(zone, _FULL_WEEK, frozenset(), always_open=True)

    def __post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.zone!r}") from exc
        if len(self.windows) != 7:
            raise ValueError("windows needs one entry per weekday, Monday first")
        for day_windows in self.windows:
            if _merge_windows(day_windows) != day_windows:
                raise ValueError(
                    f"windows {day_windows!r} are not sorted and disjoint; "
                    "build the calendar with Calendar.weekly() to merge them"
                )
        if not isinstance(self.closed_dates, frozenset):
            raise ValueError("closed_dates must be a frozenset: a calendar stays hashable")
        for closed in self.closed_dates:
            # datetime is a subclass of date: refuse it rather than silently drop the time.
            if not isinstance(closed, date) or isinstance(closed, datetime):
                raise ValueError(f"closed dates must be dates, got {closed!r}")
        if self.always_open and (self.windows != _FULL_WEEK or self.closed_dates):
            raise ValueError("a 24/7 calendar has no windows or closed dates; use always()")

        windows_us = tuple(
            tuple((start * _MINUTE, end * _MINUTE) for start, end in day_windows)
            for day_windows in self.windows
        )
        day_service = tuple(sum(end - start for start, end in day) for day in windows_us)
        closed_sorted = tuple(sorted(d.toordinal() - _EPOCH_ORDINAL for d in self.closed_dates))
        prefix = [0]
        for day in closed_sorted:
            prefix.append(prefix[-1] + day_service[_weekday(day)])

        init = object.__setattr__  # the dataclass is frozen; these are derived once, here
        init(self, "_tz", tz)
        init(self, "_windows_us", windows_us)
        init(self, "_day_service", day_service)
        init(self, "_week_service", sum(day_service))
        init(self, "_closed_days", frozenset(closed_sorted))
        init(self, "_closed_sorted", closed_sorted)
        init(self, "_closed_prefix", tuple(prefix))
        init(self, "_continuous", self.windows == _FULL_WEEK and not self.closed_dates)
        init(self, "_days", {})

    # -- queries --------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at this instant."""
        t = _to_us(at)
        if self._continuous:
            return True
        return any(start <= t < end for start, end in self._intervals(self._day_of(at)))

    def next_opening(self, at: datetime) -> datetime | None:
        """The first open instant at or after `at` (`at` itself if open); None if never open."""
        t = _to_us(at)
        if self._continuous:
            return _from_us(t)
        if not self._week_service:
            return None
        day = self._day_of(at)
        while True:  # ends: closed dates are finite and every ordinary week has open time
            for start, end in self._intervals(day):
                if end > t:
                    return _from_us(max(start, t))
            day += 1

    def next_closing(self, at: datetime) -> datetime | None:
        """When the open stretch holding `at` (or the next one) ends; None if it never does."""
        opening = self.next_opening(at)
        if opening is None or self._continuous:
            return None
        t = _to_us(opening)
        day = self._day_of(opening)
        stretch_end: int | None = None
        last_closed = self._closed_sorted[-1] if self._closed_sorted else None
        while True:
            for start, end in self._intervals(day):
                if end <= t:
                    continue
                if stretch_end is None:
                    stretch_end = end  # the interval holding the opening
                elif start <= stretch_end:
                    stretch_end = end  # runs on past midnight or across an offset change
                else:
                    return _from_us(stretch_end)
            if self.windows == _FULL_WEEK and last_closed is not None and day > last_closed:
                return None  # open around the clock, and every closed date is behind us
            day += 1

    def service_seconds(self, a: datetime, b: datetime) -> int:
        """Whole seconds of service time from a to b; negative if b is before a."""
        ta, tb = _to_us(a), _to_us(b)
        if tb < ta:
            return -self.service_seconds(b, a)
        if self._continuous:
            return (tb - ta) // _SECOND
        day, last_day = self._day_of(a), self._day_of(b)
        total = 0
        while day <= last_day:
            for start, end in self._intervals(day):
                start, end = max(start, ta), min(end, tb)
                if start < end:
                    total += end - start
            day += 1
            if last_day - day >= 14:
                # Days strictly between a's and b's are wholly inside [a, b]: count them by week.
                span_end = day + 7 * ((last_day - day) // 7 - 1)
                total += self._span_service(day, span_end)
                day = span_end
        return total // _SECOND

    def add(self, start: datetime, minutes: int) -> datetime:
        """The earliest instant by which `minutes` minutes of service have elapsed since start."""
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise TypeError(f"minutes must be an int, got {minutes!r}")
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        t = _to_us(start)
        need = minutes * _MINUTE
        if not need or self._continuous:
            return _from_us(t + need)
        if not self._week_service:
            raise ValueError("this calendar is never open")
        day = self._day_of(start)
        days = self._days
        while True:
            intervals = days.get(day)
            if intervals is None:
                intervals = self._intervals(day)
            for open_at, close_at in intervals:
                if close_at > t:
                    if open_at < t:
                        open_at = t
                    if close_at - open_at >= need:
                        return _from_us(open_at + need)
                    need -= close_at - open_at
            day += 1
            if need > 2 * self._week_service:
                day, need = self._skip_weeks(day, need)

    # -- internals ------------------------------------------------------------------------

    def _day_of(self, at: datetime) -> int:
        """The local date of an instant, as days since 1970-01-01."""
        return at.astimezone(self._tz).toordinal() - _EPOCH_ORDINAL

    def _intervals(self, day: int) -> tuple[Interval, ...]:
        """The open intervals of a local day in real time, sorted; cached."""
        intervals = self._days.get(day)
        if intervals is None:
            intervals = self._build_day(day)
            if len(self._days) >= _DAY_CACHE_LIMIT:
                self._days.clear()
            self._days[day] = intervals
        return intervals

    def _build_day(self, day: int) -> tuple[Interval, ...]:
        """Turn a local day's windows into real intervals, exact across offset changes."""
        windows = self._windows_us[_weekday(day)]
        if not windows or day in self._closed_days:
            return ()
        # An instant t has local wall time t + offset(t); reading that as UTC, the window
        # [s, e) of this day is open iff midnight + s <= t + offset(t) < midnight + e.
        midnight = day * _DAY
        changes = _offset_changes(self.zone, midnight - _MARGIN, midnight + _DAY + _MARGIN)
        if not changes:
            offset = _offset_us(self._tz, midnight)
            return tuple((midnight - offset + s, midnight - offset + e) for s, e in windows)
        # Near an offset change, solve the inequality on each stretch of constant offset.
        edges = [-_FAR, *(instant for instant, _, _ in changes), _FAR]
        offsets = [changes[0][1], *(after for _, _, after in changes)]
        pieces: list[Interval] = []
        for offset, lower, upper in zip(offsets, edges[:-1], edges[1:], strict=True):
            for s, e in windows:
                piece_start = max(midnight - offset + s, lower)
                piece_end = min(midnight - offset + e, upper)
                if piece_start < piece_end:
                    pieces.append((piece_start, piece_end))
        pieces.sort()
        merged: list[Interval] = []
        for piece_start, piece_end in pieces:
            if merged and piece_start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], piece_end))
            else:
                merged.append((piece_start, piece_end))
        return tuple(merged)

    def _span_service(self, first_day: int, end_day: int) -> int:
        """Service time of the whole local days [first_day, end_day), a whole number of weeks."""
        weeks = (end_day - first_day) // 7
        lo = bisect_left(self._closed_sorted, first_day)
        hi = bisect_left(self._closed_sorted, end_day)
        closed = self._closed_prefix[hi] - self._closed_prefix[lo]
        return weeks * self._week_service - closed + self._dst_surplus(first_day, end_day)

    def _dst_surplus(self, first_day: int, end_day: int) -> int:
        """How much more (or less) service days near offset changes give than ordinary ones."""
        surplus = 0
        seen: set[int] = set()
        lo, hi = first_day * _DAY - _MARGIN, end_day * _DAY + _MARGIN
        for instant, _, _ in _offset_changes(self.zone, lo, hi):
            # Every local day whose margin reaches this change (a day more is harmless:
            # an ordinary day adds nothing).
            near = range((instant - _MARGIN) // _DAY - 1, (instant + _MARGIN) // _DAY + 2)
            for day in near:
                if first_day <= day < end_day and day not in seen:
                    seen.add(day)
                    if day not in self._closed_days:
                        served = sum(end - start for start, end in self._intervals(day))
                        surplus += served - self._day_service[_weekday(day)]
        return surplus

    def _skip_weeks(self, day: int, need: int) -> tuple[int, int]:
        """Jump whole weeks that end before the target; returns the new day and need."""
        weeks = need // self._week_service - 1
        while weeks > 0:
            served = self._span_service(day, day + 7 * weeks)
            if served < need:
                return day + 7 * weeks, need - served
            weeks -= 1  # a fall-back hour made the span reach the target: take one week less
        return day, need


def quebec_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """Quebec's statutory holidays from the `holidays` package, observed days included."""
    if last_year < first_year:
        raise ValueError(f"last_year {last_year} is before first_year {first_year}")
    # Imported here: only this helper needs the (large) holidays package.
    import holidays

    years = range(first_year, last_year + 1)
    return frozenset(holidays.country_holidays("CA", subdiv="QC", years=years, observed=True))


def _merge_windows(windows: Sequence[tuple[int, int]]) -> DayWindows:
    """Validate windows and return them sorted, with overlapping or touching ones merged."""
    merged: list[Window] = []
    for window in sorted(windows):
        if len(window) != 2:
            raise ValueError(f"a window is (start, end) in minutes, got {window!r}")
        start, end = window
        for minute in (start, end):
            if isinstance(minute, bool) or not isinstance(minute, int):
                raise ValueError(f"window minutes must be ints, got {window!r}")
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"a window needs 0 <= start < end <= 1440, got {window!r}")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _weekday(day: int) -> int:
    """Weekday (0 = Monday) of a day counted from 1970-01-01."""
    return (day + _EPOCH_WEEKDAY) % 7


def _to_us(at: datetime) -> int:
    """An aware datetime as microseconds since the Unix epoch."""
    if not isinstance(at, datetime):
        raise TypeError(f"expected a datetime, got {at!r}")
    try:
        if at.tzinfo is None:
            raise TypeError
        since = at - _EPOCH  # raises TypeError too if the tzinfo gives no offset
    except TypeError:
        raise ValueError(f"naive datetime {at!r}: give it a time zone") from None
    # Spelled out rather than `since // _US`: this runs on every call and is faster.
    return (since.days * 86_400 + since.seconds) * _SECOND + since.microseconds


def _from_us(instant: int) -> datetime:
    """Microseconds since the Unix epoch as an aware UTC datetime."""
    return _EPOCH + timedelta(0, 0, instant)  # positional: days, seconds, microseconds


def _offset_us(tz: ZoneInfo, instant: int) -> int:
    """The zone's UTC offset at a real instant, in microseconds."""
    offset = datetime.fromtimestamp(instant // _SECOND, tz).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset // _US


def _offset_changes(zone: str, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """Offset changes (instant, offset before, offset after) with lo <= instant <= hi."""
    first_year, last_year = _from_us(lo).year, _from_us(hi).year
    return [
        change
        for year in range(first_year - 1, last_year + 1)  # year - 1: a change at 00:00 Jan 1
        for change in _year_offset_changes(zone, year)
        if lo <= change[0] <= hi
    ]


@lru_cache(maxsize=1024)
def _year_offset_changes(zone: str, year: int) -> tuple[tuple[int, int, int], ...]:
    """Offset changes in (Jan 1, next Jan 1] UTC of a year, found by hourly sampling."""
    tz = ZoneInfo(zone)
    first = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    last = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())

    def offset(second: int) -> int:
        return _offset_us(tz, second * _SECOND)

    changes: list[tuple[int, int, int]] = []
    before_at, before = first, offset(first)
    for sample in range(first + 3600, last + 1, 3600):
        after = offset(sample)
        if after != before:
            # Bisect to the first second with the new offset (one change per hour at most).
            lo, hi = before_at, sample
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == before:
                    lo = mid
                else:
                    hi = mid
            changes.append((hi * _SECOND, before, after))
        before_at, before = sample, after
    return tuple(changes)
