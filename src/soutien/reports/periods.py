"""Report periods: whole days in the desk's time zone, and the period before one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.core.errors import InvalidInput

# A report reads at most this many days at once (a little more than three years).
MAX_DAYS = 3 * 366 + 1


def desk_zone() -> ZoneInfo:
    """The desk's time zone: days and months of every report are counted in it."""
    return ZoneInfo(settings.TIME_ZONE)


def today() -> date:
    return timezone.now().astimezone(desk_zone()).date()


@dataclass(frozen=True)
class Period:
    """From the first day at 00:00 to the end of the last day, in the desk's time zone."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=desk_zone())

    @property
    def end(self) -> datetime:
        """The first instant after the period (the day after `last` at 00:00)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=desk_zone())

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of as many days that ends the day before this one starts.

        A period of whole months is compared with as many whole months before it.
        """
        if self.first.day == 1 and (self.last + timedelta(days=1)).day == 1:
            months = (
                (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
            )
            year, month = divmod(self.first.year * 12 + self.first.month - 1 - months, 12)
            first = date(year, month + 1, 1)
            return Period(first, self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))


def current_month() -> Period:
    day = today()
    return Period(day.replace(day=1), day)


def period_of(first: date | None, last: date | None) -> Period:
    """The period a reader asked for; this month so far when neither end is given."""
    if first is None and last is None:
        return current_month()
    if last is None:
        assert first is not None
        last = max(today(), first)
    if first is None:
        first = last.replace(day=1)
    if last < first:
        raise InvalidInput(_("The period must end on or after the day it starts."), field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(_("A report covers at most three years."), field="to")
    return Period(first, last)


def month_key(at: datetime) -> str:
    """The month of an instant in the desk's time zone, as YYYY-MM."""
    return at.astimezone(desk_zone()).strftime("%Y-%m")


def month_starts(period: Period) -> list[tuple[str, datetime]]:
    """Each month the period touches, as (YYYY-MM, its first instant in the desk's zone)."""
    found = []
    year, month = period.first.year, period.first.month
    while date(year, month, 1) <= period.last:
        found.append((f"{year:04d}-{month:02d}", datetime(year, month, 1, tzinfo=desk_zone())))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
