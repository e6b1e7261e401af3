"""Hour banks in the console and the portal: balances, what used them, overage, plans, time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from soutien.contracts.models import HourBank, Plan, TimeEntry
from soutien.contracts.services import contract_create, time_entry_create
from soutien.sla.models import ServiceCalendar
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=EASTERN)


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def worked(manager, org, contact, tech1):
    """SPEC 4's setting: a contract and a base-plus plan, and the 12:00-13:30 entry on a Tuesday."""
    factories.spec4_banks(manager, org)
    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        ticket = factories.ticket(
            contact=contact, actor=manager, received_at=NOON, subject="Journaux"
        )
        time_entry_create(actor=tech1, ticket=ticket, started_at=NOON, minutes=90, note="Analyse")
    return ticket


def test_console_organization_page_shows_banks_and_entries(worked, tech1, org):
    page = _login(tech1).get(f"/console/organisations/{org.pk}/").content.decode()
    assert "Support de base plus" in page
    assert "Contrat LIC-2026-004" in page
    assert "1 h 30" in page  # the entry
    assert "9 h 00" in page  # base plus: 10 h - 1 h used


def test_bank_page_lists_what_used_it(worked, tech1):
    bank = HourBank.objects.get(source="plan")
    page = _login(tech1).get(f"/console/banques/{bank.pk}/").content.decode()
    assert "Journaux" in page
    assert "1 h 00" in page


def test_manager_adds_a_contract_and_a_subscription_from_the_console(
    manager, org, django_capture_on_commit_callbacks
):
    web = _login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post(
            f"/console/organisations/{org.pk}/contrats/",
            {
                "reference": "LIC-9",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "included_minutes": "600",
                "level_2_minutes": "120",
            },
        )
        assert r.status_code == 302, r.content.decode()[:2000]
        r = web.post(
            f"/console/organisations/{org.pk}/forfaits/",
            {
                "plan": Plan.objects.get(code="base-extra").pk,
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
        )
        assert r.status_code == 302
    banks = HourBank.objects.filter(organization=org)
    assert sorted(b.total_minutes for b in banks) == [600, 1200]
    assert org.contracts.get().terms == {"first_response_minutes": {"2": 120}}


def test_reversed_contract_dates_are_a_form_error(manager, org):
    r = _login(manager).post(
        f"/console/organisations/{org.pk}/contrats/",
        {
            "reference": "X",
            "starts_on": "2026-12-31",
            "ends_on": "2026-01-01",
            "included_minutes": "60",
        },
    )
    assert r.status_code == 400
    assert not HourBank.objects.exists()


def test_technician_logs_and_deletes_time_on_a_request(manager, org, contact, tech1):
    contract_create(
        actor=manager,
        organization=org,
        reference="LIC-1",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        included_minutes=60,
    )
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOON)
        web = _login(tech1)
        r = web.post(
            f"/console/demandes/{ticket.pk}/temps/",
            {"started_at": "2026-12-01T12:00", "minutes": "75", "note": "Correctif"},
        )
        assert r.status_code == 302
        page = web.get(f"/console/demandes/{ticket.pk}/").content.decode()
    entry = TimeEntry.objects.get()
    assert entry.overage_minutes == 15
    assert "hors de toute banque" in page or "15 min" in page
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        web.post(f"/console/temps/{entry.pk}/supprimer/")
    assert not TimeEntry.objects.exists()
    assert HourBank.objects.get().used_minutes == 0


def test_overage_page_lists_billable_minutes(worked, manager, contact, tech1, org):
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN)
    with time_machine.travel(saturday + timedelta(hours=1), tick=False):
        time_entry_create(actor=tech1, ticket=worked, started_at=saturday, minutes=40)
    page = _login(manager).get("/console/depassements/").content.decode()
    assert org.name in page
    assert "40 min" in page


def test_manager_creates_a_custom_plan(manager):
    calendar = ServiceCalendar.objects.get(name="24/7")
    r = _login(manager).post(
        "/console/reglages/forfaits/nouveau/",
        {
            "code": "perso-ville",
            "name_fr": "Support personnalisé Ville",
            "minutes": "3000",
            "calendar": calendar.pk,
            "services": ["teleconference", "training"],
            "is_custom": "on",
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = Plan.objects.get(code="perso-ville")
    assert plan.services == ["teleconference", "training"]
    assert plan.is_custom


def test_client_admin_sees_its_banks_and_a_contact_does_not(worked, org, contact):
    admin = factories.client_admin(org)
    page = _login(admin).get("/portail/banques/").content.decode()
    assert "Support de base plus" in page
    assert "Journaux" in page
    assert _login(contact).get("/portail/banques/").status_code == 404


def test_low_balance_alert_shows_in_the_portal(manager, org, contact, tech1):
    admin = factories.client_admin(org)
    contract_create(
        actor=manager,
        organization=org,
        reference="LIC-P",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        included_minutes=100,
    )
    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=NOON)
        time_entry_create(actor=tech1, ticket=ticket, started_at=NOON, minutes=80)
    page = _login(admin).get("/portail/banques/").content.decode()
    assert "25 % restant" in page
