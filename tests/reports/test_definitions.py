"""The small definitions of docs/reports.md: periods, percentiles, forecasts, safe CSV cells."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soutien.core.errors import InvalidInput
from soutien.reports.exports import csv_text
from soutien.reports.periods import Period, period_of
from soutien.reports.selectors import distribution, forecast, nearest_rank


def test_the_previous_period_of_whole_months_is_as_many_whole_months():
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert Period(date(2026, 1, 1), date(2026, 3, 31)).previous() == Period(
        date(2025, 10, 1), date(2025, 12, 31)
    )


def test_the_previous_period_of_some_days_is_as_many_days():
    assert Period(date(2026, 3, 10), date(2026, 3, 16)).previous() == Period(
        date(2026, 3, 3), date(2026, 3, 9)
    )


def test_a_period_ends_after_the_last_day_in_the_desk_zone():
    period = Period(date(2026, 3, 7), date(2026, 3, 8))  # DST starts on the 8th
    assert period.start.isoformat() == "2026-03-07T00:00:00-05:00"
    assert period.end.isoformat() == "2026-03-09T00:00:00-04:00"


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidInput):
        period_of(date(2026, 3, 2), date(2026, 3, 1))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_nearest_rank_has_the_share_at_or_below_it(values):
    ordered = sorted(values)
    for percent in (50, 90):
        v = nearest_rank(ordered, percent)
        assert sum(1 for x in values if x <= v) * 100 >= percent * len(values)
        assert sum(1 for x in values if x < v) * 100 < percent * len(values)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=5_000), max_size=60))
def test_the_histogram_counts_every_value_once(values):
    found = distribution(values)
    assert sum(b.count for b in found.histogram) == found.count == len(values)


def test_a_bank_runs_out_at_its_recent_rate():
    # 900 minutes drawn in 90 days: 10 a day; 95 left last 10 days (the 10th day ends short).
    assert forecast(95, 900, date(2026, 11, 20), date(2027, 3, 31)) == date(2026, 11, 30)
    assert forecast(100, 900, date(2026, 11, 20), date(2027, 3, 31)) == date(2026, 11, 30)
    assert forecast(101, 900, date(2026, 11, 20), date(2027, 3, 31)) == date(2026, 12, 1)


def test_no_forecast_when_empty_unused_or_expiring_first():
    assert forecast(0, 900, date(2026, 11, 20), date(2027, 3, 31)) is None
    assert forecast(500, 0, date(2026, 11, 20), date(2027, 3, 31)) is None
    assert forecast(5000, 900, date(2026, 11, 20), date(2026, 12, 31)) is None


def test_csv_cells_that_spreadsheets_would_run_are_neutralized():
    text = csv_text(["Nom"], [["=HYPERLINK(1)"], ["+1"], ["-2"], ["@SUM"], ["Ok"], [-5]])
    lines = text.lstrip("\ufeff").splitlines()
    assert lines == ["Nom", "'=HYPERLINK(1)", "'+1", "'-2", "'@SUM", "Ok", "-5"]
