"""One date style per language: a moment, a day, an hour and a time zone as people write them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from soutien.core.dates import day_text, hour_text, moment_text, zone_text

EASTERN = ZoneInfo("America/Toronto")
MOMENT = datetime(2026, 11, 30, 9, 0, tzinfo=EASTERN)


def test_a_moment_in_french_and_english():
    with timezone.override(EASTERN):
        assert moment_text(MOMENT, "fr") == "30 novembre 2026, 9 h 00"
        assert moment_text(MOMENT, "en") == "November 30, 2026, 9:00 AM"
        assert moment_text(MOMENT, "fr", weekday=True) == "lundi 30 novembre 2026, 9 h 00"
        assert moment_text(MOMENT, "en", weekday=True) == "Monday, November 30, 2026, 9:00 AM"
        assert hour_text(MOMENT.replace(hour=17, minute=5), "fr") == "17 h 05"
        assert hour_text(MOMENT.replace(hour=17, minute=5), "en") == "5:05 PM"


def test_a_moment_is_written_in_the_viewers_zone():
    utc = datetime(2026, 11, 30, 14, 0, tzinfo=ZoneInfo("UTC"))
    with timezone.override(ZoneInfo("America/Vancouver")):
        assert moment_text(utc, "fr") == "30 novembre 2026, 6 h 00"


def test_the_first_of_the_month_is_premier_in_french():
    assert day_text(date(2026, 12, 1), "fr") == "1er décembre 2026"
    assert day_text(date(2026, 12, 1), "en") == "December 1, 2026"
    assert day_text(date(2026, 12, 2), "fr") == "2 décembre 2026"


def test_time_zones_are_named_in_words():
    assert zone_text("America/Toronto", "fr") == "heure de l'Est"
    assert zone_text("America/Toronto", "en") == "Eastern Time"
    assert zone_text("Asia/Tokyo", "fr") == "Asia/Tokyo"
    assert zone_text("America/Port_of_Spain", "en") == "America/Port of Spain"
