"""SPEC 3's worked examples, through the API: request created with `received_at`, level patched,
`sla.first_response_due` compared as an instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.sla.configuration import calendar_save
from soutien.sla.models import ServiceCalendar

EASTERN = ZoneInfo("America/Toronto")


def _file(api, org, contact, received_at: datetime, level: int | None) -> dict:
    r = api.post(
        "tickets",
        {
            "organization": org.pk,
            "contact": contact.pk,
            "subject": "Exemple de la politique",
            "channel": "phone",
            "received_at": received_at.isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    if level is not None:
        r = api.patch(f"tickets/{body['id']}", {"level": level})
        assert r.status_code == 200, r.content
        body = r.json()
    return body


def _due(body: dict) -> datetime:
    return datetime.fromisoformat(body["sla"]["first_response_due"])


PUBLISHED_POLICY_EXAMPLES = [
    # received (Eastern), level, first response due (Eastern)
    (datetime(2026, 12, 1, 10, 15), None, datetime(2026, 12, 1, 11, 15)),
    (datetime(2026, 12, 4, 16, 30), 1, datetime(2026, 12, 7, 8, 30)),
    (datetime(2026, 12, 2, 14, 0), 2, datetime(2026, 12, 3, 10, 0)),
    (datetime(2026, 6, 23, 16, 45), 1, datetime(2026, 6, 25, 8, 45)),  # June 24: Fête nationale
    (datetime(2026, 3, 6, 16, 30), 2, datetime(2026, 3, 9, 12, 30)),  # EST -> EDT on Sunday
]


@pytest.mark.parametrize(("received", "level", "due"), PUBLISHED_POLICY_EXAMPLES)
def test_published_policy_examples(api_as, manager, contact, org, received, level, due):
    received = received.replace(tzinfo=EASTERN)
    with time_machine.travel(received + timedelta(minutes=1)):
        body = _file(api_as(manager), org, contact, received, level)
    assert _due(body) == due.replace(tzinfo=EASTERN)
    assert body["sla"]["governing_terms"].startswith("Politique de soutien publiée")
    assert body["sla"]["first_responded_at"] is None


def test_dst_example_keeps_its_offsets(api_as, manager, contact, org):
    received = datetime(2026, 3, 6, 16, 30, tzinfo=EASTERN)
    with time_machine.travel(received + timedelta(minutes=1)):
        body = _file(api_as(manager), org, contact, received, 2)
    assert body["received_at"].endswith("-05:00")
    assert body["sla"]["first_response_due"] == "2026-03-09T12:30:00-04:00"


def _contract_with_calendar(api, org, calendar: ServiceCalendar, **terms) -> None:
    payload = {
        "reference": f"LIC-{calendar.pk}",
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "included_minutes": 600,
        "terms": {"calendar": calendar.pk, **terms},
    }
    r = api.post(f"organizations/{org.pk}/contracts", payload)
    assert r.status_code == 201, r.content


def test_round_the_clock_terms_count_real_minutes_on_a_saturday(api_as, manager, contact, org):
    api = api_as(manager)
    _contract_with_calendar(api, org, ServiceCalendar.objects.get(always_open=True))
    received = datetime(2026, 12, 5, 2, 0, tzinfo=EASTERN)
    with time_machine.travel(received + timedelta(minutes=1)):
        body = _file(api, org, contact, received, 1)
    assert _due(body) == datetime(2026, 12, 5, 3, 0, tzinfo=EASTERN)
    assert "LIC-" in body["sla"]["governing_terms"]


def test_round_the_clock_terms_count_real_minutes_across_the_fall_back(
    api_as, manager, contact, org
):
    api = api_as(manager)
    _contract_with_calendar(api, org, ServiceCalendar.objects.get(always_open=True))
    received = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    with time_machine.travel(received + timedelta(minutes=1)):
        body = _file(api, org, contact, received, 1)
    assert _due(body) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_a_lunch_break_calendar_loses_to_the_published_policy(api_as, manager, contact, org):
    api = api_as(manager)
    split = calendar_save(
        actor=manager,
        name="Base plus",
        windows={str(d): [[510, 750], [780, 1020]] for d in range(5)},
    )
    _contract_with_calendar(api, org, split)
    received = datetime(2026, 12, 1, 12, 45, tzinfo=EASTERN)
    with time_machine.travel(received + timedelta(minutes=1)):
        body = _file(api, org, contact, received, 1)
    assert _due(body) == datetime(2026, 12, 1, 13, 45, tzinfo=EASTERN)
    assert body["sla"]["governing_terms"].startswith("Politique de soutien publiée")


def test_a_contract_with_a_shorter_target_governs(api_as, manager, contact, org):
    api = api_as(manager)
    r = api.post(
        f"organizations/{org.pk}/contracts",
        {
            "reference": "LIC-2026-004",
            "starts_on": "2026-01-01",
            "ends_on": "2027-03-31",
            "included_minutes": 1200,
            "terms": {"first_response_minutes": {"none": 30, "2": 120}},
        },
    )
    assert r.status_code == 201, r.content
    received = datetime(2026, 12, 2, 14, 0, tzinfo=EASTERN)
    with time_machine.travel(received + timedelta(minutes=1)):
        untriaged = _file(api, org, contact, received, None)
        level_two = _file(api, org, contact, received, 2)
        level_one = _file(api, org, contact, received, 1)
    assert _due(untriaged) == datetime(2026, 12, 2, 14, 30, tzinfo=EASTERN)
    assert _due(level_two) == datetime(2026, 12, 2, 16, 0, tzinfo=EASTERN)
    assert "LIC-2026-004" in level_two["sla"]["governing_terms"]
    # No contract target for level 1: the published policy's 60 minutes apply.
    assert _due(level_one) == datetime(2026, 12, 2, 15, 0, tzinfo=EASTERN)
    assert level_one["sla"]["governing_terms"].startswith("Politique")


def test_a_contract_outside_its_validity_does_not_apply(api_as, manager, contact, org):
    api = api_as(manager)
    api.post(
        f"organizations/{org.pk}/contracts",
        {
            "reference": "LIC-OLD",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "terms": {"first_response_minutes": {"none": 5}},
        },
    )
    received = datetime(2026, 12, 1, 10, 15, tzinfo=EASTERN)
    with time_machine.travel(received + timedelta(minutes=1)):
        body = _file(api, org, contact, received, None)
    assert _due(body) == datetime(2026, 12, 1, 11, 15, tzinfo=EASTERN)


def test_governing_terms_follow_the_readers_language(api_as, manager, contact, org):
    received = datetime(2026, 12, 1, 10, 15, tzinfo=EASTERN)
    with time_machine.travel(received + timedelta(minutes=1)):
        body = _file(api_as(manager), org, contact, received, None)
        english = api_as(manager).get(f"tickets/{body['id']}", headers={"Accept-Language": "en"})
    assert english.json()["sla"]["governing_terms"].startswith("Published support policy")
