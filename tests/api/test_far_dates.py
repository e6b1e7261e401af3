"""Dates before 2000 or after 2100 are typing errors: 422 naming the field, nothing stored."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from soutien.contracts.models import LicenseContract, Subscription
from soutien.training.models import TimeOff


def _contract(api, org, starts_on: str, ends_on: str):
    return api.post(
        f"organizations/{org.pk}/contracts",
        {"reference": "LIC-9", "starts_on": starts_on, "ends_on": ends_on, "included_minutes": 60},
    )


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        ("2026-01-01", "9999-12-30", "ends_on"),
        ("2026-01-01", "2101-01-01", "ends_on"),
        ("1999-12-31", "2026-12-31", "starts_on"),
        ("0001-01-01", "2026-12-31", "starts_on"),
    ],
)
def test_a_contract_outside_2000_to_2100_is_refused(
    api_as, manager, org, starts_on, ends_on, field
):
    r = _contract(api_as(manager), org, starts_on, ends_on)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert field in r.json()["detail"]
    assert not LicenseContract.objects.exists()


def test_the_edges_of_the_range_are_accepted(api_as, manager, org):
    assert _contract(api_as(manager), org, "2000-01-01", "2100-12-31").status_code == 201


def test_a_subscription_to_9999_is_refused(api_as, manager, org):
    r = api_as(manager).post(
        f"organizations/{org.pk}/subscriptions",
        {"plan": "base-plus", "starts_on": "2026-01-01", "ends_on": "9999-12-30"},
    )
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "ends_on"
    assert not Subscription.objects.exists()


def test_time_off_until_2200_is_refused(api_as, manager):
    starts = timezone.now() + timedelta(days=1)
    r = api_as(manager).post(
        "time-off",
        {
            "starts_at": starts.isoformat(),
            "ends_at": datetime(2200, 1, 1, tzinfo=starts.tzinfo).isoformat(),
        },
    )
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "ends_at"
    assert not TimeOff.objects.exists()
