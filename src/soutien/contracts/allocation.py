"""Which bank each minute of a time entry is drawn from: pure functions over plain data (SPEC 4).

Each minute is drawn from a bank that is valid that day, whose coverage calendar is open at
that minute and that has minutes left, choosing the bank that expires first, then the one with
the narrowest coverage, then the oldest. What no bank covers is overage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from soutien.sla.calendar import Calendar

MINUTE = timedelta(minutes=1)
WEEK_MINUTES = 7 * 24 * 60


def weekly_breadth(calendar: Calendar) -> int:
    """Open minutes in a week: how wide a coverage is (24/7 is the widest)."""
    if calendar.always_open:
        return WEEK_MINUTES
    return sum(end - start for day in calendar.windows for start, end in day)


@dataclass
class BankState:
    """A bank as the allocator sees it; `left` goes down as minutes are drawn."""

    id: int
    valid_from: date
    valid_until: date
    calendar: Calendar
    left: int
    created: datetime
    breadth: int = field(init=False)

    def __post_init__(self) -> None:
        self.breadth = weekly_breadth(self.calendar)

    def rank(self) -> tuple[date, int, datetime, int]:
        return (self.valid_until, self.breadth, self.created, self.id)


@dataclass(frozen=True)
class Split:
    drawn: dict[int, int]
    overage: int


def allocate(start: datetime, minutes: int, banks: Iterable[BankState], zone: ZoneInfo) -> Split:
    """Split `minutes` of work from `start` over `banks` (their `left` is decremented)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    ranked = sorted(banks, key=BankState.rank)
    drawn: dict[int, int] = {}
    overage = 0
    for offset in range(minutes):
        moment = start + offset * MINUTE
        day = moment.astimezone(zone).date()
        for bank in ranked:
            if (
                bank.left > 0
                and bank.valid_from <= day <= bank.valid_until
                and bank.calendar.is_open(moment)
            ):
                bank.left -= 1
                drawn[bank.id] = drawn.get(bank.id, 0) + 1
                break
        else:
            overage += 1
    return Split(drawn=drawn, overage=overage)
