"""Suggested slots: inside the preferred periods, the trainer's working hours, with the
trainer and the room free and the room big enough."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from soutien.sla.calendar import Calendar
from soutien.training import selectors, services
from soutien.training.slots import free_starts, fully_open, merge
from tests import factories
from tests.training.fixtures import EASTERN, at

WEEKDAYS = Calendar.weekly("America/Toronto", {d: [(8 * 60, 17 * 60)] for d in range(5)})


def test_free_starts_skip_nights_weekends_and_busy_time():
    friday = datetime(2026, 11, 27, 0, 0, tzinfo=EASTERN)
    busy = [
        (
            datetime(2026, 11, 27, 8, 0, tzinfo=EASTERN),
            datetime(2026, 11, 27, 15, 0, tzinfo=EASTERN),
        )
    ]
    starts = list(
        free_starts(
            calendar=WEEKDAYS,
            periods=[(friday, friday + timedelta(days=4))],
            busy=busy,
            minutes=180,
            step=60,
        )
    )
    local = [s.astimezone(EASTERN).strftime("%a %H:%M") for s in starts[:4]]
    # Friday after 15:00 leaves two hours: too short; then Monday from 08:00.
    assert local == ["Mon 08:00", "Mon 09:00", "Mon 10:00", "Mon 11:00"]


@given(
    offset=st.integers(min_value=0, max_value=14 * 24 * 60),
    minutes=st.sampled_from([30, 90, 180, 240]),
    busy_start=st.integers(min_value=0, max_value=14 * 24 * 60),
    busy_length=st.integers(min_value=1, max_value=600),
)
def test_every_free_start_fits_the_calendar_the_period_and_nothing_busy(
    offset, minutes, busy_start, busy_length
):
    base = datetime(2026, 10, 26, 0, 0, tzinfo=EASTERN)  # across the November change
    period = (base + timedelta(minutes=offset), base + timedelta(days=15))
    busy = [(base + timedelta(minutes=busy_start),
             base + timedelta(minutes=busy_start + busy_length))]  # fmt: skip
    length = timedelta(minutes=minutes)
    for n, start in enumerate(
        free_starts(calendar=WEEKDAYS, periods=[period], busy=busy, minutes=minutes)
    ):
        if n > 40:
            break
        end = start + length
        assert period[0] <= start
        assert end <= period[1]
        assert fully_open(WEEKDAYS, start, end)
        assert not (busy[0][0] < end and start < busy[0][1])
        assert start.astimezone(EASTERN).minute in (0, 30)


def test_merge_joins_overlapping_and_touching_spans():
    a = datetime(2026, 1, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    assert merge([(a + 3 * h, a + 4 * h), (a, a + h), (a + h, a + 2 * h)]) == [
        (a, a + 2 * h),
        (a + 3 * h, a + 4 * h),
    ]


def test_suggestions_fit_the_preferred_period_and_avoid_booked_time(contact, trainer, room):
    training = factories.training_request(
        contact=contact,
        preferred=((at(25, 0), at(26, 0)),),  # Wednesday only
    )
    services.session_schedule(actor=trainer, training=training, trainer=trainer, room=room,
                              starts_at=at(25, 8), ends_at=at(25, 11))  # fmt: skip
    slots = selectors.suggested_slots(training, minutes=180, count=3)
    # Alternatives that do not overlap, until the day (the only one preferred) is full.
    assert [(s.starts_at, s.trainer, s.room) for s in slots] == [
        (at(25, 11), trainer, room),
        (at(25, 14), trainer, room),
    ]


def test_suggestions_start_tomorrow_without_preferred_periods(contact, trainer, room):
    training = factories.training_request(contact=contact)
    (first,) = selectors.suggested_slots(training, minutes=240, count=1)
    assert first.starts_at == at(24, 8)
    assert first.ends_at == at(24, 12)


def test_suggestions_only_offer_rooms_big_enough(contact, trainer, clock):
    factories.room("Petite", capacity=2)
    big = factories.room("Grande", capacity=20)
    training = factories.training_request(contact=contact)  # three attendees
    slots = selectors.suggested_slots(training, count=4)
    assert {s.room for s in slots} == {big}


def test_suggestions_respect_time_off(contact, trainer, room, manager):
    services.time_off_add(actor=manager, person=trainer, starts_at=at(24, 0), ends_at=at(26, 0))
    training = factories.training_request(contact=contact)
    (first,) = selectors.suggested_slots(training, count=1)
    assert first.starts_at == at(26, 8)


def test_remote_training_needs_no_room(contact, trainer, clock):
    training = factories.training_request(contact=contact, place="remote")
    (first,) = selectors.suggested_slots(training, count=1)
    assert first.room is None
