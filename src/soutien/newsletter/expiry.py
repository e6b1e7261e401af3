"""How long implied consent lasts (CASL, s. 10(10)): computed from the relationship, never typed.

A purchase or a written contract: two years after it ends. An inquiry: six months after it.
The last day counted is the day before the anniversary, so that a message sent on any day
before the returned date falls within the period "immediately before the day it is sent".
"""

from __future__ import annotations

import calendar
from datetime import date

RELATIONSHIP_YEARS = 2
INQUIRY_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (Feb 29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def relationship_expiry(ended_on: date) -> date:
    """Implied consent from a contract or plan ending on `ended_on` lasts until this date."""
    return add_months(ended_on, 12 * RELATIONSHIP_YEARS)


def inquiry_expiry(asked_on: date) -> date:
    """Implied consent from an inquiry made on `asked_on` lasts until this date."""
    return add_months(asked_on, INQUIRY_MONTHS)
