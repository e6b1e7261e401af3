"""The years a date given to Soutien may fall in: a contract to 9999 is a typing error."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from soutien.core.errors import InvalidInput

FIRST_YEAR = 2000
LAST_YEAR = 2100


def check_year(value: date | datetime | None, *, field: str) -> None:
    """422 naming `field` unless the date falls in FIRST_YEAR..LAST_YEAR (None: not given)."""
    if value is None:
        return
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInput(
            _("%(field)s: give a date between the years %(first)s and %(last)s.")
            % {"field": field, "first": FIRST_YEAR, "last": LAST_YEAR},
            field=field,
        )
