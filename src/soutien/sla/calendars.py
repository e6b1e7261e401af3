"""Turn a service calendar row into a pure `Calendar` (statutory holidays and closures included)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays
from django.utils import timezone

from soutien.sla.calendar import Calendar
from soutien.sla.models import ServiceCalendar

# Statutory holidays are computed for this span of years around today: due times are never
# more than weeks away, and requests older than this are not recomputed.
YEARS_BEFORE = 15
YEARS_AFTER = 10


@lru_cache(maxsize=32)
def statutory_holidays(country: str, subdivision: str, first: int, last: int) -> frozenset[date]:
    """Statutory holidays with their observed days (`holidays` package), e.g. CA/QC."""
    if not country:
        return frozenset()
    found = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(first, last + 1), observed=True
    )
    return frozenset(found.keys())


def statutory_holidays_named(
    country: str, subdivision: str, first: int, last: int, language: str = "fr"
) -> list[tuple[date, str]]:
    """The holidays with their names, for showing the manager which days are closed."""
    if not country:
        return []
    supported = holidays.country_holidays(country, subdiv=subdivision or None).supported_languages
    found = holidays.country_holidays(
        country,
        subdiv=subdivision or None,
        years=range(first, last + 1),
        observed=True,
        language=language if language in (supported or ()) else None,
    )
    return sorted(found.items())


def build(calendar: ServiceCalendar, closures: Iterable[date]) -> Calendar:
    if calendar.always_open:
        return Calendar.always(calendar.time_zone)
    year = timezone.now().year
    closed = statutory_holidays(
        calendar.holiday_country,
        calendar.holiday_subdivision,
        year - YEARS_BEFORE,
        year + YEARS_AFTER,
    )
    return Calendar.weekly(
        calendar.time_zone, calendar.windows_by_day(), closed_dates=closed | frozenset(closures)
    )
