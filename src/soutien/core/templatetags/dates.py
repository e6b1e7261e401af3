"""One date style per language, for every template, pages and emails alike (a built-in library:
no `load` needed)."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from soutien.core.dates import day_text, hour_text, moment_text, month_text, zone_text

register = template.Library()


@register.filter
def moment(value: datetime | None, style: str = "") -> str:
    """« 30 novembre 2026, 9 h 00 » / "November 30, 2026, 9:00 AM", in the viewer's zone.

    `|moment:"weekday"` names the day too: « lundi 30 novembre 2026, 9 h 00 ».
    """
    return moment_text(value, weekday=style == "weekday") if value else ""


@register.filter
def day(value: date | datetime | None, style: str = "") -> str:
    """« 30 novembre 2026 » / "November 30, 2026"; `|day:"weekday"`: « lundi 30 novembre 2026 »."""
    return day_text(value, weekday=style == "weekday") if value else ""


@register.filter
def hour(value: datetime | None) -> str:
    """« 9 h 00 » / "9:00 AM", in the viewer's zone."""
    return hour_text(value) if value else ""


@register.filter
def zone_words(name: object) -> str:
    """A time zone as people name it: « heure de l'Est » / "Eastern Time"."""
    return zone_text(str(name) if name else "")


@register.filter
def month(value: date | datetime | None) -> str:
    """« novembre 2026 » / "November 2026"."""
    return month_text(value) if value else ""
