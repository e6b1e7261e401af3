"""Hour banks through the API: SPEC 4's example, SPEC 3's plan examples, edits, alerts, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.contracts.models import BankAlert, HourBank, TimeEntry, TimeEntryChange
from soutien.contracts.services import time_entry_create
from soutien.notifications.models import Notification
from soutien.ticketing.models import Ticket
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=EASTERN)


def _banks(api, org) -> dict[str, dict]:
    r = api.get(f"organizations/{org.pk}/hour-banks")
    assert r.status_code == 200, r.content
    return {bank["source"]: bank for bank in r.json()}


@pytest.fixture
def contract_and_plan(api_as, manager, org):
    """A contract (expires 2027-03-31, standard hours) and a "base plus" plan (expires 2026-12-31)."""
    api = api_as(manager)
    with time_machine.travel(datetime(2026, 11, 2, tzinfo=EASTERN)):
        r = api.post(
            f"organizations/{org.pk}/contracts",
            {
                "reference": "LIC-2026-004",
                "starts_on": "2026-04-01",
                "ends_on": "2027-03-31",
                "included_minutes": 1200,
            },
        )
        assert r.status_code == 201, r.content
        r = api.post(
            f"organizations/{org.pk}/subscriptions",
            {"plan": "base-plus", "starts_on": "2026-11-01", "ends_on": "2026-12-31"},
        )
        assert r.status_code == 201, r.content
    return api


def test_spec4_example_splits_an_entry_over_plan_and_contract(
    contract_and_plan, manager, contact, org, tech1
):
    with time_machine.travel(TUESDAY_NOON + timedelta(hours=2)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=TUESDAY_NOON)
        r = contract_and_plan.post(
            f"tickets/{ticket.pk}/time-entries",
            {"started_at": TUESDAY_NOON.isoformat(), "minutes": 90, "note": "Analyse des journaux"},
        )
    assert r.status_code == 201, r.content
    banks = _banks(contract_and_plan, org)
    drawn = {a["bank"]: a["minutes"] for a in r.json()["allocations"]}
    assert drawn == {banks["plan"]["id"]: 60, banks["contract"]["id"]: 30}
    assert r.json()["overage_minutes"] == 0
    assert banks["plan"]["used_minutes"] == 60
    assert banks["plan"]["left_minutes"] == 540
    assert banks["contract"]["used_minutes"] == 30
    assert banks["contract"]["valid_until"] == "2027-03-31"


def test_minutes_no_bank_covers_are_billable_overage(contract_and_plan, manager, contact):
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN)
    with time_machine.travel(saturday + timedelta(hours=1)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=saturday)
        r = contract_and_plan.post(
            f"tickets/{ticket.pk}/time-entries", {"started_at": saturday.isoformat(), "minutes": 25}
        )
    assert r.json()["allocations"] == []
    assert r.json()["overage_minutes"] == 25
    assert r.json()["billable"] is True


@pytest.fixture
def round_the_clock(api_as, manager, org):
    api = api_as(manager)
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=EASTERN)):
        r = api.post(
            f"organizations/{org.pk}/subscriptions",
            {"plan": "base-extra", "starts_on": "2026-10-01", "ends_on": "2027-09-30"},
        )
    assert r.status_code == 201, r.content
    return api


def _file_level_1(api, org, contact, received: datetime) -> dict:
    with time_machine.travel(received + timedelta(minutes=1)):
        r = api.post(
            "tickets",
            {
                "organization": org.pk,
                "contact": contact.pk,
                "subject": "Urgence",
                "channel": "phone",
                "received_at": received.isoformat(),
            },
        )
        assert r.status_code == 201, r.content
        r = api.patch(f"tickets/{r.json()['id']}", {"level": 1})
    assert r.status_code == 200, r.content
    return r.json()


def test_spec3_round_the_clock_plan_on_a_saturday_night(round_the_clock, org, contact):
    body = _file_level_1(round_the_clock, org, contact, datetime(2026, 12, 5, 2, 0, tzinfo=EASTERN))
    assert datetime.fromisoformat(body["sla"]["first_response_due"]) == datetime(
        2026, 12, 5, 3, 0, tzinfo=EASTERN
    )
    assert body["sla"]["governing_terms"] == "Forfait Support de base extra"


def test_spec3_round_the_clock_plan_across_the_fall_back(round_the_clock, org, contact):
    body = _file_level_1(round_the_clock, org, contact, datetime(2026, 11, 1, 5, 30, tzinfo=UTC))
    assert datetime.fromisoformat(body["sla"]["first_response_due"]) == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )


def test_spec3_lunch_break_plan_loses_to_the_published_policy(contract_and_plan, org, contact):
    body = _file_level_1(
        contract_and_plan, org, contact, datetime(2026, 12, 1, 12, 45, tzinfo=EASTERN)
    )
    assert datetime.fromisoformat(body["sla"]["first_response_due"]) == datetime(
        2026, 12, 1, 13, 45, tzinfo=EASTERN
    )
    assert body["sla"]["governing_terms"].startswith("Politique de soutien publiée")


def test_a_plan_with_no_minutes_left_no_longer_sets_the_due_time(
    round_the_clock, manager, org, contact
):
    bank = HourBank.objects.get(organization=org, source="plan")
    HourBank.objects.filter(pk=bank.pk).update(used_minutes=bank.total_minutes)
    body = _file_level_1(round_the_clock, org, contact, datetime(2026, 12, 5, 2, 0, tzinfo=EASTERN))
    # Saturday night, no plan hours left: the standard hours apply (Monday 09:00).
    assert datetime.fromisoformat(body["sla"]["first_response_due"]) == datetime(
        2026, 12, 7, 9, 0, tzinfo=EASTERN
    )


def test_deleting_an_entry_gives_its_minutes_back_to_later_work(api_as, manager, org, contact):
    api = api_as(manager)
    with time_machine.travel(datetime(2026, 11, 2, tzinfo=EASTERN)):
        api.post(
            f"organizations/{org.pk}/contracts",
            {
                "reference": "PETIT",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "included_minutes": 60,
            },
        )
    day = datetime(2026, 12, 1, 9, 0, tzinfo=EASTERN)
    with time_machine.travel(day + timedelta(hours=5)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=day)
        first = api.post(
            f"tickets/{ticket.pk}/time-entries", {"started_at": day.isoformat(), "minutes": 50}
        ).json()
        second = api.post(
            f"tickets/{ticket.pk}/time-entries",
            {"started_at": (day + timedelta(hours=1)).isoformat(), "minutes": 30},
        ).json()
        assert second["overage_minutes"] == 20
        assert api.delete(f"time-entries/{first['id']}").status_code == 204
    entry = TimeEntry.objects.get(pk=second["id"])
    assert entry.overage_minutes == 0
    assert _banks(api, org)["contract"]["used_minutes"] == 30
    actions = list(TimeEntryChange.objects.order_by("id").values_list("action", "entry_id"))
    assert actions == [
        ("created", first["id"]),
        ("created", second["id"]),
        ("deleted", first["id"]),
        ("reallocated", second["id"]),
    ]


def test_editing_an_entry_reallocates_it(contract_and_plan, manager, org, contact):
    with time_machine.travel(TUESDAY_NOON + timedelta(hours=3)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=TUESDAY_NOON)
        entry = contract_and_plan.post(
            f"tickets/{ticket.pk}/time-entries",
            {"started_at": TUESDAY_NOON.isoformat(), "minutes": 90},
        ).json()
        r = contract_and_plan.patch(f"time-entries/{entry['id']}", {"minutes": 30})
    assert r.status_code == 200, r.content
    banks = _banks(contract_and_plan, org)
    assert [(a["bank"], a["minutes"]) for a in r.json()["allocations"]] == [
        (banks["plan"]["id"], 30)
    ]
    assert banks["contract"]["used_minutes"] == 0
    change = TimeEntryChange.objects.get(action="edited")
    assert change.actor == manager
    assert change.before["minutes"] == 90
    assert change.after["minutes"] == 30


def test_a_logged_call_becomes_a_time_entry(contract_and_plan, manager, tech1, contact):
    with time_machine.travel(TUESDAY_NOON + timedelta(hours=1)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=TUESDAY_NOON)
        r = contract_and_plan.post(
            f"tickets/{ticket.pk}/messages",
            {
                "body": "Appel au client",
                "kind": "phone_call",
                "at": TUESDAY_NOON.isoformat(),
                "duration_minutes": 20,
            },
        )
    assert r.status_code == 201, r.content
    entry = TimeEntry.objects.get(ticket=ticket)
    assert entry.minutes == 20
    assert entry.started_at == TUESDAY_NOON
    assert entry.call_id == r.json()["id"]
    assert sum(a.minutes for a in entry.allocations.all()) == 20


def test_low_balance_alerts_go_out_once_at_25_10_and_0_percent(api_as, manager, org, contact):
    admin = factories.client_admin(org)
    api = api_as(manager)
    with time_machine.travel(datetime(2026, 11, 2, tzinfo=EASTERN)):
        api.post(
            f"organizations/{org.pk}/contracts",
            {
                "reference": "CENT",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "included_minutes": 100,
            },
        )
    day = datetime(2026, 12, 1, 8, 0, tzinfo=EASTERN)
    with time_machine.travel(day + timedelta(hours=9)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=day)
        for minutes, offset in ((70, 0), (5, 80), (20, 100), (10, 130)):
            api.post(
                f"tickets/{ticket.pk}/time-entries",
                {"started_at": (day + timedelta(minutes=offset)).isoformat(), "minutes": minutes},
            )
    assert sorted(BankAlert.objects.values_list("threshold", flat=True)) == [0, 10, 25]
    to_admin = Notification.objects.filter(recipient=admin, kind="bank_low").order_by("id")
    assert [n.data["threshold"] for n in to_admin] == [25, 10, 0]
    assert Notification.objects.filter(recipient=manager, kind="bank_low").count() == 3


def test_client_admin_sees_banks_but_a_contact_does_not(api_as, contract_and_plan, org, contact):
    admin = factories.client_admin(org)
    assert len(api_as(admin).get(f"organizations/{org.pk}/hour-banks").json()) == 2
    assert api_as(contact).get(f"organizations/{org.pk}/hour-banks").status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"started_at": "2026-12-01T12:00:00-05:00", "minutes": 0}, None),
        ({"started_at": "2026-12-01T12:00:00-05:00", "minutes": -30}, None),
        ({"started_at": "2026-12-01T12:00:00-05:00", "minutes": 24 * 60 + 1}, None),
        ({"started_at": "2027-06-01T12:00:00-05:00", "minutes": 30}, "started_at"),
        ({"started_at": "2026-12-01T12:00:00", "minutes": 30}, "started_at"),
        ({"started_at": "pas une date", "minutes": 30}, None),
        ({"minutes": 30}, None),
    ],
)
def test_bad_time_entries_are_4xx_with_detail(api_as, manager, contact, payload, field):
    with time_machine.travel(datetime(2026, 12, 2, tzinfo=EASTERN)):
        ticket = factories.ticket(contact=contact, actor=manager)
        r = api_as(manager).post(f"tickets/{ticket.pk}/time-entries", payload)
    assert 400 <= r.status_code < 500, r.content
    assert r.json()["detail"]
    if field:
        assert r.json()["field"] == field
    assert not TimeEntry.objects.exists()


def test_unknown_plan_and_foreign_organization_are_refused(
    api_as, manager, org, other_org, contact
):
    api = api_as(manager)
    r = api.post(
        f"organizations/{org.pk}/subscriptions",
        {"plan": "platine", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    )
    assert r.status_code == 422
    assert r.json()["field"] == "plan"
    stranger_admin = factories.client_admin(other_org)
    ticket = factories.ticket(contact=contact)
    assert api_as(stranger_admin).get(f"organizations/{org.pk}/hour-banks").status_code == 404
    assert (
        api_as(stranger_admin)
        .post(
            f"tickets/{ticket.pk}/time-entries",
            {"started_at": "2026-11-26T10:00:00-05:00", "minutes": 5},
        )
        .status_code
        == 404
    )


def test_clients_cannot_log_or_change_time(api_as, manager, contact):
    ticket = factories.ticket(contact=contact)
    r = api_as(contact).post(
        f"tickets/{ticket.pk}/time-entries",
        {"started_at": "2026-11-26T10:00:00-05:00", "minutes": 5},
    )
    assert r.status_code == 403
    entry = (
        api_as(manager)
        .post(
            f"tickets/{ticket.pk}/time-entries",
            {"started_at": "2026-11-26T10:00:00-05:00", "minutes": 5},
        )
        .json()
    )
    assert api_as(contact).delete(f"time-entries/{entry['id']}").status_code == 404


def test_plans_on_offer(api_as, contact):
    codes = {p["code"]: p for p in api_as(contact).get("plans").json()}
    assert codes["base-plus"]["minutes"] == 600
    assert codes["base-extra"]["minutes"] == 1200


def test_a_plan_running_dry_stops_setting_due_times_at_once(
    round_the_clock, manager, org, contact, tech1
):
    saturday = datetime(2026, 12, 5, 2, 0, tzinfo=EASTERN)
    first = _file_level_1(round_the_clock, org, contact, saturday)
    assert first["sla"]["governing_terms"] == "Forfait Support de base extra"
    bank = HourBank.objects.get(organization=org, source="plan")
    with time_machine.travel(saturday + timedelta(hours=1)):
        ticket = Ticket.objects.get(pk=first["id"])
        time_entry_create(
            actor=tech1, ticket=ticket, started_at=saturday - timedelta(hours=21), minutes=1200
        )
    assert HourBank.objects.get(pk=bank.pk).left_minutes == 0
    second = _file_level_1(round_the_clock, org, contact, saturday + timedelta(minutes=30))
    assert second["sla"]["governing_terms"].startswith("Politique")
