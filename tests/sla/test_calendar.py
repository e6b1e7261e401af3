"""Business calendars: the product's promises by hand, then properties against an oracle."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import oracle
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soutien.sla.calendar import Calendar, quebec_holidays

EASTERN = ZoneInfo("America/Toronto")
QC_HOLIDAYS = quebec_holidays(2026, 2029)
MON_FRI = range(5)
ZONES = [
    "America/Toronto",
    "America/Vancouver",
    "Europe/Paris",
    "Australia/Lord_Howe",  # DST moves the clock by 30 minutes
    "Asia/Kolkata",
    "UTC",
]


def hm(text: str) -> int:
    """'08:30' as minutes since midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def eastern(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
    *,
    fold: int = 0,
) -> datetime:
    """A wall-clock time in America/Toronto."""
    return datetime(year, month, day, hour, minute, second, microsecond, EASTERN, fold=fold)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


PUBLISHED = Calendar.weekly(
    "America/Toronto", {day: [(hm("08:00"), hm("17:00"))] for day in MON_FRI}, QC_HOLIDAYS
)
"""The published calendar: Mon-Fri 08:00-17:00 Eastern, Quebec holidays closed."""

WITH_LUNCH = Calendar.weekly(
    "America/Toronto",
    {day: [(hm("08:30"), hm("12:30")), (hm("13:00"), hm("17:00"))] for day in MON_FRI},
    QC_HOLIDAYS,
)
ALWAYS = Calendar.always()


# -- the product's promises -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        pytest.param(eastern(2026, 12, 1, 10, 15), 60, eastern(2026, 12, 1, 11, 15), id="same-day"),
        pytest.param(eastern(2026, 12, 4, 16, 30), 60, eastern(2026, 12, 7, 8, 30), id="weekend"),
        pytest.param(eastern(2026, 12, 2, 14, 0), 300, eastern(2026, 12, 3, 10, 0), id="overnight"),
        pytest.param(
            eastern(2026, 6, 23, 16, 45), 60, eastern(2026, 6, 25, 8, 45), id="saint-jean"
        ),
        pytest.param(
            eastern(2026, 3, 6, 16, 30), 300, eastern(2026, 3, 9, 12, 30), id="dst-starts"
        ),
        pytest.param(eastern(2026, 12, 1, 12, 45), 60, eastern(2026, 12, 1, 13, 45), id="noon"),
    ],
)
def test_published_calendar_due_times(start: datetime, minutes: int, due: datetime) -> None:
    assert PUBLISHED.add(start, minutes) == due


def test_dst_start_due_time_is_in_daylight_time() -> None:
    due = PUBLISHED.add(eastern(2026, 3, 6, 16, 30), 300)
    assert due == utc(2026, 3, 9, 16, 30)
    assert due.astimezone(EASTERN).utcoffset() == timedelta(hours=-4)


def test_always_open_counts_real_time_on_a_saturday_night() -> None:
    assert ALWAYS.add(eastern(2026, 12, 5, 2, 0), 60) == eastern(2026, 12, 5, 3, 0)


def test_always_open_counts_real_time_across_fall_back() -> None:
    assert ALWAYS.add(utc(2026, 11, 1, 5, 30), 60) == utc(2026, 11, 1, 6, 30)
    eastern_24_7 = Calendar.always("America/Toronto")
    assert eastern_24_7.add(utc(2026, 11, 1, 5, 30), 60) == utc(2026, 11, 1, 6, 30)


def test_lunch_gap_delays_a_start_made_during_lunch() -> None:
    assert WITH_LUNCH.add(eastern(2026, 12, 1, 12, 45), 60) == eastern(2026, 12, 1, 14, 0)


def test_target_ending_at_closing_is_due_at_closing() -> None:
    assert PUBLISHED.add(eastern(2026, 12, 1, 16, 0), 60) == eastern(2026, 12, 1, 17, 0)
    assert WITH_LUNCH.add(eastern(2026, 12, 1, 12, 0), 30) == eastern(2026, 12, 1, 12, 30)


def test_one_minute_past_closing_rolls_to_next_opening() -> None:
    assert PUBLISHED.add(eastern(2026, 12, 1, 16, 0), 61) == eastern(2026, 12, 2, 8, 1)


@pytest.mark.parametrize(
    "start",
    [
        pytest.param(eastern(2026, 12, 5, 11, 0), id="saturday"),
        pytest.param(eastern(2026, 12, 7, 6, 0), id="before-opening"),
        pytest.param(eastern(2026, 12, 4, 17, 0), id="at-friday-closing"),
        pytest.param(eastern(2026, 12, 7, 8, 0), id="at-opening"),
    ],
)
def test_start_outside_hours_counts_from_next_opening(start: datetime) -> None:
    assert PUBLISHED.add(start, 30) == eastern(2026, 12, 7, 8, 30)


def test_start_on_a_holiday_counts_from_the_next_working_day() -> None:
    # Friday 2026-12-25 is Christmas; the weekend follows.
    assert PUBLISHED.add(eastern(2026, 12, 25, 10, 0), 90) == eastern(2026, 12, 28, 9, 30)


def test_seconds_in_the_start_are_kept() -> None:
    assert PUBLISHED.add(eastern(2026, 12, 1, 10, 15, 30), 60) == eastern(2026, 12, 1, 11, 15, 30)


def test_microseconds_in_the_start_are_kept() -> None:
    start = eastern(2026, 12, 1, 16, 59, 59, 250_000)
    assert PUBLISHED.add(start, 1) == eastern(2026, 12, 2, 8, 0, 59, 250_000)


def test_zero_minutes_is_the_start_itself() -> None:
    start = eastern(2026, 12, 5, 11, 0)  # a Saturday: not moved to the next opening
    assert PUBLISHED.add(start, 0) == start


def test_due_times_are_utc() -> None:
    assert PUBLISHED.add(eastern(2026, 12, 1, 10, 15), 60).tzinfo is UTC


def test_long_target_spans_weeks_and_holidays() -> None:
    # 10,000 minutes from Monday 2026-12-14 08:00, 540 service minutes a day: Christmas
    # (Friday 12-25) is closed, New Year's Day (Friday 2027-01-01) too.
    # 18 working days make 9,720 minutes; the 19th is Monday 2027-01-11, 280 minutes in.
    start = eastern(2026, 12, 14, 8, 0)
    due = PUBLISHED.add(start, 10_000)
    assert due == eastern(2027, 1, 11, 12, 40)
    assert due == oracle.add(published_spec(), start, 10_000)
    assert PUBLISHED.service_seconds(start, due) == 600_000


def test_negative_minutes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        PUBLISHED.add(eastern(2026, 12, 1, 10, 0), -1)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 12, 1, 10, 0)
    with pytest.raises(ValueError, match="naive"):
        PUBLISHED.add(naive, 60)
    with pytest.raises(ValueError, match="naive"):
        PUBLISHED.is_open(naive)
    with pytest.raises(ValueError, match="naive"):
        PUBLISHED.service_seconds(eastern(2026, 12, 1, 10, 0), naive)


# -- service time, openness, openings and closings ------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        pytest.param(eastern(2026, 12, 1, 8, 0), eastern(2026, 12, 1, 17, 0), 9, id="full-day"),
        pytest.param(eastern(2026, 12, 4, 16, 0), eastern(2026, 12, 7, 9, 0), 2, id="weekend"),
        pytest.param(eastern(2026, 12, 5, 0, 0), eastern(2026, 12, 6, 23, 0), 0, id="saturday"),
        pytest.param(eastern(2026, 6, 23, 12, 0), eastern(2026, 6, 25, 12, 0), 9, id="holiday"),
        pytest.param(eastern(2026, 12, 1, 6, 0), eastern(2026, 12, 1, 7, 59), 0, id="dawn"),
        pytest.param(eastern(2026, 3, 6, 8, 0), eastern(2026, 3, 13, 8, 0), 45, id="dst-week"),
    ],
)
def test_service_seconds_on_the_published_calendar(a: datetime, b: datetime, hours: int) -> None:
    assert PUBLISHED.service_seconds(a, b) == hours * 3600


def test_service_seconds_over_the_lunch_hour() -> None:
    noon, two = eastern(2026, 12, 1, 12, 0), eastern(2026, 12, 1, 14, 0)
    assert WITH_LUNCH.service_seconds(noon, two) == 90 * 60
    assert PUBLISHED.service_seconds(noon, two) == 120 * 60


def test_service_seconds_honours_seconds() -> None:
    a, b = eastern(2026, 12, 1, 16, 59, 30), eastern(2026, 12, 2, 8, 0, 15)
    assert PUBLISHED.service_seconds(a, b) == 45


def test_service_seconds_is_negative_when_b_is_before_a() -> None:
    a, b = eastern(2026, 12, 1, 10, 0), eastern(2026, 12, 2, 10, 0)
    assert PUBLISHED.service_seconds(b, a) == -PUBLISHED.service_seconds(a, b) == -9 * 3600


def test_service_seconds_over_a_year_matches_the_working_days() -> None:
    # 2027: 261 weekdays, of which 8 are Quebec holidays (Christmas falls on a Saturday
    # and is observed on Monday the 27th).
    a, b = eastern(2027, 1, 1, 0, 0), eastern(2028, 1, 1, 0, 0)
    weekday_holidays = [d for d in QC_HOLIDAYS if d.year == 2027 and d.weekday() < 5]
    assert len(weekday_holidays) == 8
    assert PUBLISHED.service_seconds(a, b) == (261 - 8) * 9 * 3600


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(eastern(2026, 12, 1, 10, 0), True, id="tuesday-morning"),
        pytest.param(eastern(2026, 12, 5, 10, 0), False, id="saturday"),
        pytest.param(eastern(2026, 6, 24, 10, 0), False, id="saint-jean"),
        pytest.param(eastern(2026, 12, 1, 8, 0), True, id="exactly-at-opening"),
        pytest.param(eastern(2026, 12, 1, 7, 59, 59), False, id="second-before-opening"),
        pytest.param(eastern(2026, 12, 1, 16, 59, 59), True, id="second-before-closing"),
        pytest.param(eastern(2026, 12, 1, 17, 0), False, id="exactly-at-closing"),
    ],
)
def test_is_open_on_the_published_calendar(at: datetime, expected: bool) -> None:
    assert PUBLISHED.is_open(at) is expected


def test_lunch_hour_is_closed_on_the_lunch_calendar() -> None:
    assert not WITH_LUNCH.is_open(eastern(2026, 12, 1, 12, 45))
    assert WITH_LUNCH.is_open(eastern(2026, 12, 1, 13, 0))
    assert PUBLISHED.is_open(eastern(2026, 12, 1, 12, 45))


@pytest.mark.parametrize(
    ("at", "opening", "closing"),
    [
        pytest.param(
            eastern(2026, 12, 1, 10, 0),
            eastern(2026, 12, 1, 10, 0),
            eastern(2026, 12, 1, 12, 30),
            id="open-morning",
        ),
        pytest.param(
            eastern(2026, 12, 1, 12, 45),
            eastern(2026, 12, 1, 13, 0),
            eastern(2026, 12, 1, 17, 0),
            id="lunch",
        ),
        pytest.param(
            eastern(2026, 12, 4, 17, 0),
            eastern(2026, 12, 7, 8, 30),
            eastern(2026, 12, 7, 12, 30),
            id="friday-closing",
        ),
        pytest.param(
            eastern(2026, 12, 5, 10, 0),
            eastern(2026, 12, 7, 8, 30),
            eastern(2026, 12, 7, 12, 30),
            id="saturday",
        ),
        pytest.param(
            eastern(2026, 6, 24, 9, 0),
            eastern(2026, 6, 25, 8, 30),
            eastern(2026, 6, 25, 12, 30),
            id="saint-jean",
        ),
        pytest.param(
            eastern(2026, 12, 1, 8, 30),
            eastern(2026, 12, 1, 8, 30),
            eastern(2026, 12, 1, 12, 30),
            id="exactly-at-opening",
        ),
    ],
)
def test_next_opening_and_closing_on_the_lunch_calendar(
    at: datetime, opening: datetime, closing: datetime
) -> None:
    assert WITH_LUNCH.next_opening(at) == opening
    assert WITH_LUNCH.next_closing(at) == closing


def test_calendar_that_never_opens_has_no_opening_and_no_due_time() -> None:
    never = Calendar.weekly("America/Toronto", {})
    assert never.next_opening(eastern(2026, 12, 1, 10, 0)) is None
    assert never.next_closing(eastern(2026, 12, 1, 10, 0)) is None
    assert never.service_seconds(eastern(2026, 12, 1), eastern(2027, 12, 1)) == 0
    with pytest.raises(ValueError, match="never open"):
        never.add(eastern(2026, 12, 1, 10, 0), 1)


def test_always_open_never_closes() -> None:
    at = utc(2026, 12, 5, 2, 0)
    assert ALWAYS.is_open(at)
    assert ALWAYS.next_opening(at) == at
    assert ALWAYS.next_closing(at) is None


def test_shift_through_midnight_closes_when_the_second_window_ends() -> None:
    nights = Calendar.weekly("America/Toronto", {4: [(hm("22:00"), 1440)], 5: [(0, hm("02:00"))]})
    assert nights.next_closing(eastern(2026, 12, 4, 23, 0)) == eastern(2026, 12, 5, 2, 0)
    assert nights.add(eastern(2026, 12, 4, 23, 30), 60) == eastern(2026, 12, 5, 0, 30)


# -- midnight and DST -------------------------------------------------------------------------


ROUND_THE_CLOCK = Calendar.weekly("America/Toronto", {day: [(0, 1440)] for day in range(7)})
"""Windows 00:00-24:00 every day: must behave exactly like 24/7 (no lost minute at midnight)."""


@pytest.mark.parametrize(
    ("start", "minutes"),
    [
        pytest.param(eastern(2026, 12, 1, 23, 30), 60, id="across-midnight"),
        pytest.param(eastern(2026, 12, 1, 23, 59, 59), 1, id="last-second"),
        pytest.param(eastern(2026, 12, 1, 0, 0), 1440 * 9, id="nine-days"),
        pytest.param(utc(2026, 11, 1, 5, 30), 60, id="fall-back"),
        pytest.param(utc(2026, 3, 8, 6, 30), 60, id="spring-forward"),
        pytest.param(eastern(2026, 3, 1, 0, 0), 1440 * 60, id="sixty-days-over-dst"),
    ],
)
def test_round_the_clock_windows_behave_like_always_open(start: datetime, minutes: int) -> None:
    due = ROUND_THE_CLOCK.add(start, minutes)
    # Python adds timedeltas to aware datetimes in wall-clock time: add in UTC for real time.
    real_time_later = start.astimezone(UTC) + timedelta(minutes=minutes)
    assert due == ALWAYS.add(start, minutes) == real_time_later
    assert ROUND_THE_CLOCK.service_seconds(start, due) == minutes * 60
    assert ROUND_THE_CLOCK.next_closing(start) is None


def test_round_the_clock_with_a_closed_date_closes_at_its_midnight() -> None:
    closing_day = Calendar.weekly(
        "America/Toronto", {day: [(0, 1440)] for day in range(7)}, [date(2026, 12, 25)]
    )
    assert closing_day.next_closing(eastern(2026, 12, 1, 9, 0)) == eastern(2026, 12, 25, 0, 0)
    assert closing_day.next_opening(eastern(2026, 12, 25, 9, 0)) == eastern(2026, 12, 26, 0, 0)
    assert closing_day.next_closing(eastern(2026, 12, 26, 9, 0)) is None


NIGHT_SHIFT = Calendar.weekly(
    "America/Toronto", {day: [(hm("01:00"), hm("03:00"))] for day in range(7)}
)
"""01:00-03:00 every night: covers both DST changes in America/Toronto."""


def test_night_window_is_one_hour_on_spring_forward_night() -> None:
    # 02:00-03:00 does not exist on 2026-03-08; 01:00 EST to 03:00 EDT is one real hour.
    night = (eastern(2026, 3, 8, 0, 0), eastern(2026, 3, 8, 12, 0))
    assert NIGHT_SHIFT.service_seconds(*night) == 3600
    assert NIGHT_SHIFT.add(eastern(2026, 3, 8, 1, 30), 30) == eastern(2026, 3, 8, 3, 0)
    assert NIGHT_SHIFT.add(eastern(2026, 3, 8, 1, 30), 45) == eastern(2026, 3, 9, 1, 15)
    assert NIGHT_SHIFT.next_closing(eastern(2026, 3, 8, 1, 0)) == utc(2026, 3, 8, 7, 0)


def test_night_window_is_three_hours_on_fall_back_night() -> None:
    # 01:00-02:00 happens twice on 2026-11-01 and is open both times.
    night = (eastern(2026, 11, 1, 0, 0), eastern(2026, 11, 1, 12, 0))
    assert NIGHT_SHIFT.service_seconds(*night) == 3 * 3600
    assert NIGHT_SHIFT.is_open(eastern(2026, 11, 1, 1, 30, fold=0))
    assert NIGHT_SHIFT.is_open(eastern(2026, 11, 1, 1, 30, fold=1))
    # The second 01:30 (EST), written in UTC: a fold=1 datetime never equals another zone's.
    due = NIGHT_SHIFT.add(eastern(2026, 11, 1, 1, 30, fold=0), 60)
    assert due == utc(2026, 11, 1, 6, 30)
    assert due.astimezone(EASTERN).replace(tzinfo=None) == datetime(2026, 11, 1, 1, 30)
    assert NIGHT_SHIFT.next_closing(eastern(2026, 11, 1, 1, 0)) == utc(2026, 11, 1, 8, 0)


def test_window_inside_the_skipped_hour_gives_no_time_that_night() -> None:
    skipped = Calendar.weekly("America/Toronto", {6: [(hm("02:00"), hm("02:30"))]})
    sunday = (eastern(2026, 3, 8, 0, 0), eastern(2026, 3, 8, 23, 0))
    assert skipped.service_seconds(*sunday) == 0
    assert skipped.next_opening(eastern(2026, 3, 8, 0, 0)) == eastern(2026, 3, 15, 2, 0)


def test_skipping_weeks_counts_the_repeated_hour_of_fall_back() -> None:
    # Sundays 01:00-02:00 only: an hour a week, two on the fall-back Sunday (2026-11-01).
    # 180 minutes from Tuesday 2026-10-20: 60 on October 25, then 120 on November 1.
    sunday_night = Calendar.weekly("America/Toronto", {6: [(hm("01:00"), hm("02:00"))]})
    start = eastern(2026, 10, 20, 12, 0)
    assert sunday_night.add(start, 180) == utc(2026, 11, 1, 7, 0)  # 02:00 EST, second pass
    assert sunday_night.add(start, 181) == eastern(2026, 11, 8, 1, 1)
    # Ten Sundays from October 25 to December 27, one of them two hours long.
    assert sunday_night.service_seconds(start, eastern(2026, 12, 31)) == (10 + 1) * 3600


def test_long_night_shift_target_matches_the_oracle_across_both_dst_changes() -> None:
    # Two night hours a day from February to December: weeks are skipped, and the skipped
    # spans hold the short spring-forward night and the long fall-back night.
    start = eastern(2026, 2, 20, 12, 0)
    spec = oracle.Spec("America/Toronto", {day: [(hm("01:00"), hm("03:00"))] for day in range(7)})
    for minutes in (20_000, 35_000):
        due = NIGHT_SHIFT.add(start, minutes)
        assert due == oracle.add(spec, start, minutes)
        assert NIGHT_SHIFT.service_seconds(start, due) == minutes * 60


def test_offset_changes_never_move_local_dates_backwards() -> None:
    # The calendar assumes local dates never run backwards (see the module docstring).
    for zone in [*ZONES, "America/St_Johns", "America/Halifax", "America/Santiago"]:
        tz = ZoneInfo(zone)
        for change in oracle.offset_changes(zone, 2026, 2040):
            before = (change - timedelta(hours=1)).astimezone(tz).date()
            assert change.astimezone(tz).date() >= before, (zone, change)


# -- construction ---------------------------------------------------------------------------


def test_overlapping_and_unsorted_windows_are_merged() -> None:
    messy = Calendar.weekly("UTC", {0: [(600, 700), (480, 620), (700, 720), (800, 900)]})
    assert messy.windows[0] == ((480, 720), (800, 900))
    assert messy.windows[1:] == ((),) * 6


@pytest.mark.parametrize(
    "windows",
    [
        pytest.param({0: [(-1, 60)]}, id="negative"),
        pytest.param({0: [(0, 1441)]}, id="past-midnight"),
        pytest.param({0: [(600, 600)]}, id="empty"),
        pytest.param({0: [(700, 600)]}, id="reversed"),
        pytest.param({7: [(0, 60)]}, id="no-such-weekday"),
        pytest.param({0: [(0.5, 60)]}, id="not-whole-minutes"),
    ],
)
def test_bad_windows_are_refused(windows: dict[int, list[tuple[int, int]]]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Calendar.weekly("UTC", windows)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Calendar.weekly("Mars/Olympus_Mons", {0: [(0, 60)]})


def test_datetime_as_closed_date_is_refused() -> None:
    with pytest.raises(ValueError, match="dates"):
        Calendar.weekly("UTC", {0: [(0, 60)]}, [datetime(2026, 12, 25, tzinfo=UTC)])


def test_direct_construction_checks_windows_are_canonical() -> None:
    with pytest.raises(ValueError, match=r"Calendar\.weekly"):
        Calendar("UTC", (((600, 700), (480, 620)), *((),) * 6))


def test_direct_construction_needs_frozen_closed_dates() -> None:
    week: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    with pytest.raises(ValueError, match="frozenset"):
        Calendar("UTC", week, {date(2026, 12, 25)})  # type: ignore[arg-type]


def test_always_open_calendar_takes_no_closed_dates() -> None:
    full_week = (((0, 1440),),) * 7
    with pytest.raises(ValueError, match="24/7"):
        Calendar("UTC", full_week, frozenset({date(2026, 12, 25)}), always_open=True)


def test_calendars_are_immutable_and_hashable() -> None:
    same = Calendar.weekly(
        "America/Toronto",
        {day: [(hm("13:00"), hm("17:00")), (hm("08:00"), hm("13:00"))] for day in MON_FRI},
        sorted(QC_HOLIDAYS),
    )
    assert same == PUBLISHED
    assert hash(same) == hash(PUBLISHED)
    assert len({same, PUBLISHED, WITH_LUNCH}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        PUBLISHED.zone = "UTC"  # type: ignore[misc]


def test_quebec_holidays_for_2026() -> None:
    assert sorted(d for d in QC_HOLIDAYS if d.year == 2026) == [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday (no Easter Monday in Quebec's list)
        date(2026, 5, 18),  # National Patriots' Day
        date(2026, 6, 24),  # Saint-Jean-Baptiste / Fête nationale
        date(2026, 7, 1),  # Canada Day
        date(2026, 9, 7),  # Labour Day
        date(2026, 10, 12),  # Thanksgiving
        date(2026, 12, 25),  # Christmas (no Boxing Day in Quebec's list)
    ]


def test_quebec_holidays_include_observed_days() -> None:
    # Christmas 2027 is a Saturday, observed Monday the 27th; both dates are listed.
    assert {date(2027, 12, 25), date(2027, 12, 27)} <= QC_HOLIDAYS
    assert {date(2028, 1, 1), date(2028, 1, 3)} <= QC_HOLIDAYS


# -- properties against the brute-force oracle ----------------------------------------------

FIRST_INSTANT = utc(2026, 1, 1)
LAST_INSTANT = utc(2028, 12, 31, 23, 59)
SPAN_MINUTES = int((LAST_INSTANT - FIRST_INSTANT) / oracle.ONE_MINUTE)
# Window edges where calendars and DST interact: midnight, the DST hours, office hours.
EDGES = [0, 30, 60, 90, 120, 150, 180, 210, 480, 510, 720, 750, 780, 1020, 1410, 1440]


def published_spec() -> oracle.Spec:
    """The published calendar as the oracle sees it."""
    return oracle.Spec(
        "America/Toronto", {day: [(hm("08:00"), hm("17:00"))] for day in MON_FRI}, QC_HOLIDAYS
    )


def to_calendar(spec: oracle.Spec) -> Calendar:
    """Build the calendar under test from the oracle's description."""
    if spec.always_open:
        return Calendar.always(spec.zone)
    return Calendar.weekly(spec.zone, spec.windows, spec.closed)


def weekly_open_minutes(spec: oracle.Spec) -> int:
    """Nominal open minutes in a week (overlaps counted once)."""
    if spec.always_open:
        return 7 * 1440
    return sum(
        len({minute for start, end in windows for minute in range(start, end)})
        for windows in spec.windows.values()
    )


# Any minute of the day half the time, a notable edge the other half -- in a single draw,
# because drawing is what these properties spend most of their time on.
window_edges = st.sampled_from((*range(1441), *EDGES * 90))


def pair_up(edges: list[int]) -> list[tuple[int, int]]:
    """Consecutive edges as windows (they may overlap: the calendar must merge them)."""
    windows = []
    for first, second in zip(edges[::2], edges[1::2], strict=False):
        if first == second:
            second = first + 1 if first < 1440 else first - 1
        windows.append((min(first, second), max(first, second)))
    return windows


@st.composite
def start_instants(draw: st.DrawFn, zone: str, seconds: bool = False) -> datetime:
    """A whole-minute UTC instant in 2026-2028; half of them in the days around a DST change."""
    changes = oracle.offset_changes(zone, 2026, 2028)
    near_a_change = draw(st.booleans())
    if changes and near_a_change:
        change = draw(st.sampled_from(changes))
        at = change + timedelta(minutes=draw(st.integers(-3 * 1440, 2 * 1440)))
    else:
        at = FIRST_INSTANT + timedelta(minutes=draw(st.integers(0, SPAN_MINUTES)))
    if seconds:
        at += timedelta(seconds=draw(st.integers(0, 59)))
    return at


@st.composite
def calendars_and_starts(
    draw: st.DrawFn, seconds: bool = False
) -> tuple[oracle.Spec, Calendar, datetime]:
    """A random calendar (1-3 windows on random weekdays, closures near the start) and a start."""
    zone = draw(st.sampled_from(ZONES))
    start = draw(start_instants(zone, seconds=seconds))
    if draw(st.integers(0, 9)) == 0:
        spec = oracle.Spec(zone, {}, always_open=True)
    else:
        weekdays = draw(st.integers(1, 127))  # a bit per weekday, at least one set
        week = {
            day: pair_up(draw(st.lists(window_edges, min_size=2, max_size=6)))
            for day in range(7)
            if weekdays >> day & 1
        }
        first_day = start.astimezone(ZoneInfo(zone)).date()
        closed = draw(st.lists(st.integers(-1, 40), max_size=6))
        spec = oracle.Spec(zone, week, frozenset(first_day + timedelta(days=n) for n in closed))
    return spec, to_calendar(spec), start


def target_minutes(spec: oracle.Spec) -> st.SearchStrategy[int]:
    """Targets up to 3000 minutes, and at most about a week of walking for the oracle."""
    return st.integers(1, min(3000, weekly_open_minutes(spec)))


def examples(count: int) -> settings:
    """Hypothesis settings for a property: `count` examples, no per-example deadline."""
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@examples(800)
@given(case=calendars_and_starts(), data=st.data())
def test_add_matches_the_oracle_for_every_target(case, data) -> None:
    spec, calendar, start = case
    max_minutes = data.draw(target_minutes(spec), label="max_minutes")
    expected = oracle.due_times(spec, start, max_minutes)
    for minutes, due in enumerate(expected, start=1):
        assert calendar.add(start, minutes) == due, minutes


@examples(2000)
@given(case=calendars_and_starts(), data=st.data())
def test_service_up_to_the_due_time_is_the_target(case, data) -> None:
    spec, calendar, start = case
    minutes = data.draw(target_minutes(spec), label="minutes")
    assert calendar.service_seconds(start, calendar.add(start, minutes)) == 60 * minutes


@examples(1500)
@given(case=calendars_and_starts(), data=st.data())
def test_due_times_never_decrease_as_targets_grow(case, data) -> None:
    spec, calendar, start = case
    first = data.draw(target_minutes(spec), label="first")
    second = data.draw(target_minutes(spec), label="second")
    smaller, larger = sorted((first, second))
    assert start <= calendar.add(start, smaller) <= calendar.add(start, larger)


@examples(1500)
@given(case=calendars_and_starts(), data=st.data())
def test_due_time_is_inside_a_window_or_at_its_closing(case, data) -> None:
    spec, calendar, start = case
    due = calendar.add(start, data.draw(target_minutes(spec), label="minutes"))
    # The second before the due time was open: due is in a window or exactly at its end.
    assert oracle.is_open(spec, due - oracle.ONE_SECOND)
    assert calendar.is_open(due) or calendar.next_closing(due - oracle.ONE_SECOND) == due


@examples(1500)
@given(case=calendars_and_starts(seconds=True), data=st.data())
def test_add_and_measure_round_trip_from_starts_with_seconds(case, data) -> None:
    spec, calendar, start = case
    start += timedelta(microseconds=data.draw(st.integers(0, 999_999), label="microseconds"))
    minutes = data.draw(target_minutes(spec), label="minutes")
    due = calendar.add(start, minutes)
    assert calendar.service_seconds(start, due) == 60 * minutes
    assert calendar.service_seconds(start, due - timedelta(seconds=1)) == 60 * minutes - 1


@st.composite
def probe_instants(draw: st.DrawFn, spec: oracle.Spec, start: datetime) -> datetime:
    """An instant near the start; often a window edge (or a second off it) in local time."""
    tz = ZoneInfo(spec.zone)
    day = start.astimezone(tz).date() + timedelta(days=draw(st.integers(-1, 3)))
    edges = [edge for windows in spec.windows.values() for window in windows for edge in window]
    on_an_edge = draw(st.booleans())
    if edges and on_an_edge:
        minute = draw(st.sampled_from(edges))
        local = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(minutes=minute)
        local = local.replace(fold=draw(st.integers(0, 1)))  # either side of a repeated hour
        return local.astimezone(UTC) + timedelta(seconds=draw(st.sampled_from([-1, 0, 1])))
    return start + timedelta(seconds=draw(st.integers(-86_400, 4 * 86_400)))


@examples(3000)
@given(case=calendars_and_starts(seconds=True), data=st.data())
def test_is_open_matches_the_oracle(case, data) -> None:
    spec, calendar, start = case
    at = data.draw(probe_instants(spec, start), label="at")
    assert calendar.is_open(at) == oracle.is_open(spec, at)


@examples(300)
@given(case=calendars_and_starts(seconds=True), data=st.data())
def test_service_seconds_matches_the_oracle(case, data) -> None:
    spec, calendar, start = case
    end = data.draw(probe_instants(spec, start), label="end")
    a, b = sorted((start, end))
    assert calendar.service_seconds(a, b) == oracle.service_seconds(spec, a, b)


@examples(300)
@given(case=calendars_and_starts(), data=st.data())
def test_long_targets_equal_chained_short_ones(case, data) -> None:
    # A long target skips whole weeks; short ones walk day by day. The due time of m1 + m2
    # is the due time of m2 counted from the due time of m1, so both roads must meet.
    spec, calendar, start = case
    week = weekly_open_minutes(spec)
    # At least five pieces of half a week or more: the total is long enough to skip weeks.
    piece = st.integers(max(1, week // 2), week)
    pieces = data.draw(st.lists(piece, min_size=5, max_size=12), label="pieces")
    due = start
    for piece in pieces:
        due = calendar.add(due, piece)
    assert calendar.add(start, sum(pieces)) == due


@examples(300)
@given(case=calendars_and_starts(seconds=True), data=st.data())
def test_long_spans_measure_like_their_parts(case, data) -> None:
    # service_seconds counts whole weeks in one step over spans of two weeks or more; parts
    # of at most ten days are walked day by day.
    _, calendar, start = case
    cut = st.integers(5 * 86_400, 10 * 86_400)
    cuts = data.draw(st.lists(cut, min_size=3, max_size=12), label="cuts")
    instants = [start]
    for cut in cuts:
        instants.append(instants[-1] + timedelta(seconds=cut))
    parts = sum(calendar.service_seconds(a, b) for a, b in itertools.pairwise(instants))
    assert calendar.service_seconds(instants[0], instants[-1]) == parts


@examples(400)
@given(case=calendars_and_starts(seconds=True), data=st.data())
def test_next_opening_and_closing_match_the_oracle(case, data) -> None:
    spec, calendar, start = case
    at = data.draw(probe_instants(spec, start), label="at")
    expected_opening = oracle.next_opening(spec, at, horizon_days=60)
    assert expected_opening is not None  # every random calendar opens at least weekly
    assert calendar.next_opening(at) == expected_opening
    # The open stretch starts at the next opening, which may be weeks away (closed Sundays).
    expected_closing = oracle.next_closing(spec, expected_opening, horizon_days=15)
    if expected_closing is None:  # open for 15 days on end: 24/7 or round the clock
        closing = calendar.next_closing(at)
        assert closing is None or closing > expected_opening + timedelta(days=15)
    else:
        assert calendar.next_closing(at) == expected_closing


def test_next_closing_after_weeks_of_closed_days_ends_the_next_open_stretch() -> None:
    # Found by hypothesis: the open stretch starts weeks later, two Sundays being closed.
    calendar = Calendar.weekly(
        "America/Toronto", {6: [(0, 1)]}, closed_dates=[date(2026, 3, 15), date(2026, 3, 22)]
    )
    at = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
    opening = datetime(2026, 3, 29, 0, 0, tzinfo=ZoneInfo("America/Toronto"))
    assert calendar.next_opening(at) == opening
    assert calendar.next_closing(at) == opening + timedelta(minutes=1)
