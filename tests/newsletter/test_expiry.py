"""Implied consent lasts two years after a relationship ends, six months after an inquiry."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from soutien.newsletter.expiry import add_months, inquiry_expiry, relationship_expiry


def test_a_contract_ending_on_march_31_gives_consent_until_the_same_day_two_years_later():
    assert relationship_expiry(date(2027, 3, 31)) == date(2029, 3, 31)


def test_february_29_becomes_february_28_in_a_common_year():
    assert relationship_expiry(date(2028, 2, 29)) == date(2030, 2, 28)


def test_an_inquiry_gives_six_months():
    assert inquiry_expiry(date(2026, 8, 31)) == date(2027, 2, 28)
    assert inquiry_expiry(date(2026, 11, 15)) == date(2027, 5, 15)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 60))
def test_adding_months_lands_in_the_right_month_never_later_than_the_day(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day
    assert later >= day
