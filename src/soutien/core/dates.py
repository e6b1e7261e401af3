"""Moments, days and time zones as each language writes them, one style per language.

French: « 30 novembre 2026, 9 h 00 », « 1er décembre 2026 », « heure de l'Est ».
English: "November 30, 2026, 9:00 AM", "December 1, 2026", "Eastern Time".
And the years a date given to Soutien may fall in: a contract to 9999 is a typing error.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from soutien.core.errors import InvalidInput

# The zones Soutien's clients and staff live in, named as people say them (fr, en).
ZONE_WORDS: dict[str, tuple[str, str]] = {
    "America/Toronto": ("heure de l'Est", "Eastern Time"),
    "America/Montreal": ("heure de l'Est", "Eastern Time"),
    "America/New_York": ("heure de l'Est", "Eastern Time"),
    "America/Halifax": ("heure de l'Atlantique", "Atlantic Time"),
    "America/Moncton": ("heure de l'Atlantique", "Atlantic Time"),
    "America/St_Johns": ("heure de Terre-Neuve", "Newfoundland Time"),
    "America/Winnipeg": ("heure du Centre", "Central Time"),
    "America/Chicago": ("heure du Centre", "Central Time"),
    "America/Regina": ("heure du Centre (Saskatchewan)", "Central Time (Saskatchewan)"),
    "America/Edmonton": ("heure des Rocheuses", "Mountain Time"),
    "America/Denver": ("heure des Rocheuses", "Mountain Time"),
    "America/Vancouver": ("heure du Pacifique", "Pacific Time"),
    "America/Los_Angeles": ("heure du Pacifique", "Pacific Time"),
    "Europe/Paris": ("heure d'Europe centrale", "Central European Time"),
    "Europe/Brussels": ("heure d'Europe centrale", "Central European Time"),
    "Europe/London": ("heure du Royaume-Uni", "UK Time"),
    "UTC": ("temps universel coordonné (UTC)", "Coordinated Universal Time (UTC)"),
}


def _language(language: str | None) -> str:
    return "en" if (language or get_language() or "fr").startswith("en") else "fr"


def day_text(
    value: date | datetime | None, language: str | None = None, *, weekday: bool = False
) -> str:
    """A day: « 1er décembre 2026 » / "December 1, 2026"; with `weekday`, « mardi 1er … »."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    lang = _language(language)
    with override(lang):
        name = date_format(value, "l")
        if lang == "en":
            text = date_format(value, "F j, Y")
            return f"{name}, {text}" if weekday else text
        text = date_format(value, "j F Y")
    text = f"1er{text[1:]}" if value.day == 1 else text
    return f"{name} {text}" if weekday else text


def month_text(value: date | datetime | None, language: str | None = None) -> str:
    """A month: « novembre 2026 » / "November 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    with override(_language(language)):
        return date_format(value, "F Y")


def moment_text(
    value: datetime | None, language: str | None = None, *, weekday: bool = False
) -> str:
    """A moment in the current time zone: « 30 novembre 2026, 9 h 00 » / "…, 9:00 AM".

    With `weekday`: « lundi 30 novembre 2026, 9 h 00 » / "Monday, November 30, 2026, 9:00 AM".
    """
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    lang = _language(language)
    day = day_text(local, lang, weekday=weekday)
    if lang == "en":
        with override("en"):
            return f"{day}, {date_format(local, 'g:i A')}"
    return f"{day}, {local.hour} h {local.minute:02d}"


def hour_text(value: datetime | None, language: str | None = None) -> str:
    """A time of day: « 9 h 00 » / "9:00 AM"."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if _language(language) == "en":
        with override("en"):
            return date_format(local, "g:i A")
    return f"{local.hour} h {local.minute:02d}"


def zone_text(name: str | None, language: str | None = None) -> str:
    """A time zone in words (« heure de l'Est »); an unknown one by its place ("Asia/Tokyo")."""
    if not name:
        return ""
    words = ZONE_WORDS.get(str(name))
    if words is None:
        return str(name).replace("_", " ")
    return words[1] if _language(language) == "en" else words[0]


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
