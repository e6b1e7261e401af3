"""Organizations in the console: hour banks, what used them, contracts, subscriptions, overage."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from soutien.contracts.models import HourBank, Plan
from soutien.contracts.services import time_entry_create
from tests.web.helpers import EASTERN, signed_in


def test_console_organization_page_shows_banks_and_entries(worked, tech1, org):
    page = signed_in(tech1).get(f"/console/organisations/{org.pk}/").content.decode()
    assert "Support de base plus" in page
    assert "Contrat LIC-2026-004" in page
    assert "1 h 30" in page  # the entry
    assert "9 h 00" in page  # base plus: 10 h - 1 h used


def test_bank_page_lists_what_used_it(worked, tech1):
    bank = HourBank.objects.get(source="plan")
    page = signed_in(tech1).get(f"/console/banques/{bank.pk}/").content.decode()
    assert "Journaux" in page
    assert "1 h 00" in page


def test_manager_adds_a_contract_and_a_subscription_from_the_console(
    manager, org, django_capture_on_commit_callbacks
):
    web = signed_in(manager)
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
    r = signed_in(manager).post(
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


def test_overage_page_lists_billable_minutes(worked, manager, contact, tech1, org):
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN)
    with time_machine.travel(saturday + timedelta(hours=1), tick=False):
        time_entry_create(actor=tech1, ticket=worked, started_at=saturday, minutes=40)
    page = signed_in(manager).get("/console/depassements/").content.decode()
    assert org.name in page
    assert "40 min" in page


def test_a_manager_adds_an_organization_from_the_console(manager, org):
    from soutien.accounts.models import Organization

    web = signed_in(manager)
    assert "Ajouter une organisation" in web.get("/console/organisations/").content.decode()

    r = web.post(
        "/console/organisations/nouvelle/", {"name": "  Ville de Laval ", "language": "en"}
    )

    added = Organization.objects.get(name="Ville de Laval")
    assert added.language == "en"
    assert r.status_code == 302
    assert r["Location"] == f"/console/organisations/{added.pk}/"


def test_adding_an_organization_refuses_a_duplicate_or_an_empty_name_on_the_form(manager, org):
    from soutien.accounts.models import Organization

    web = signed_in(manager)
    same = web.post(
        "/console/organisations/nouvelle/", {"name": org.name.upper(), "language": "fr"}
    )
    empty = web.post("/console/organisations/nouvelle/", {"name": "   ", "language": "fr"})
    odd = web.post("/console/organisations/nouvelle/", {"name": "X", "language": "de"})

    assert same.status_code == empty.status_code == odd.status_code == 400
    assert "Une organisation porte déjà ce nom." in same.content.decode()
    assert Organization.objects.count() == 1


def test_only_a_manager_adds_an_organization(tech1):
    from soutien.accounts.models import Organization

    web = signed_in(tech1)
    assert "Ajouter une organisation" not in web.get("/console/organisations/").content.decode()
    refused = web.post("/console/organisations/nouvelle/", {"name": "Y", "language": "fr"})
    assert refused.status_code == 302  # back to the console, as every manager's page does
    assert not Organization.objects.filter(name="Y").exists()


def test_a_manager_renames_an_organization_and_search_finds_it_by_the_new_name(
    manager, tech1, contact, org, other_org, django_capture_on_commit_callbacks
):
    from tests import factories

    factories.ticket(contact=contact, subject="Imprimante")
    web = signed_in(manager)
    page = web.get(f"/console/organisations/{org.pk}/").content.decode()
    assert "Renommer l'organisation" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post(f"/console/organisations/{org.pk}/nom/", {"rename-name": " Ville de Laval "})
    assert r.status_code == 302
    org.refresh_from_db()
    assert org.name == "Ville de Laval"
    results = signed_in(tech1).get("/console/recherche/", {"q": "Laval"}).content.decode()
    assert "Imprimante" in results
    duplicate = web.post(f"/console/organisations/{org.pk}/nom/", {"rename-name": other_org.name})
    assert duplicate.status_code == 400
    assert "Une organisation porte déjà ce nom." in duplicate.content.decode()


def test_only_a_manager_renames_an_organization(tech1, org):
    name = org.name
    web = signed_in(tech1)
    assert (
        "Renommer l'organisation"
        not in web.get(f"/console/organisations/{org.pk}/").content.decode()
    )
    refused = web.post(f"/console/organisations/{org.pk}/nom/", {"rename-name": "Autre nom"})
    assert refused.status_code == 302
    org.refresh_from_db()
    assert org.name == name
