from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from soutien.accounts.models import LoginFailure
from soutien.privacy.models import AccessEntry, Export, Incident, RetentionRule, RetentionRun
from tests import factories
from tests.privacy import helpers

pytestmark = pytest.mark.django_db


def test_opening_a_persons_page_is_logged_and_managers_see_the_log(client, tech1, manager, contact):
    client.force_login(tech1)
    page = client.get(reverse("console:person", args=[contact.pk]))
    assert page.status_code == 200
    assert contact.email in page.content.decode()
    assert "Export" not in page.content.decode()

    client.force_login(manager)
    page = client.get(reverse("console:person", args=[contact.pk])).content.decode()

    assert "Théo Premier" in page
    assert list(AccessEntry.objects.values_list("viewer__username", "where")) == [
        (manager.username, "console"),
        (tech1.username, "console"),
    ]


def test_a_client_never_reaches_the_person_page(client, contact, client_admin):
    client.force_login(contact)
    answer = client.get(reverse("console:person", args=[client_admin.pk]))
    assert answer.status_code == 302
    assert not AccessEntry.objects.exists()


def test_manager_exports_from_the_persons_page_then_downloads(client, manager, contact):
    client.force_login(manager)

    answer = client.post(reverse("console:person_export", args=[contact.pk]))

    assert answer.status_code == 302
    export = Export.objects.get()
    assert export.requested_by == manager
    download = client.get(reverse("console:privacy_export_download", args=[export.pk]))
    assert download.status_code == 200
    assert "profile.csv" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    export.refresh_from_db()
    assert export.delivered_at is not None


def test_a_technician_cannot_export_nor_download(client, tech1, manager, contact):
    client.force_login(manager)
    client.post(reverse("console:person_export", args=[contact.pk]))
    export = Export.objects.get()
    client.force_login(tech1)

    client.post(reverse("console:person_export", args=[contact.pk]))
    download = client.get(reverse("console:privacy_export_download", args=[export.pk]))

    assert Export.objects.count() == 1
    assert download.status_code == 302
    export.refresh_from_db()
    assert export.delivered_at is None


def test_manager_sets_a_rule_and_runs_a_dry_run_from_the_console(client, manager):
    helpers.login_failure(100)
    client.force_login(manager)
    assert client.get(reverse("console:privacy")).status_code == 200

    client.post(
        reverse("console:privacy_rule_save"),
        {"kind": "sign_in_log", "sign_in_log-kind": "sign_in_log", "sign_in_log-days": "30",
         "sign_in_log-action": "delete"},
    )  # fmt: skip
    client.post(reverse("console:privacy_run"), {"dry_run": "1"})

    assert RetentionRule.objects.get().days == 30
    run = RetentionRun.objects.get()
    assert run.dry_run
    assert run.counts["sign_in_log"]["count"] == 1
    assert LoginFailure.objects.count() == 1
    page = client.get(reverse("console:privacy")).content.decode()
    assert "sign_in_log: 1" in page


def test_a_rule_below_the_minimum_is_refused_with_a_message(client, manager):
    client.force_login(manager)
    answer = client.post(
        reverse("console:privacy_rule_save"),
        {"kind": "incidents", "incidents-kind": "incidents", "incidents-days": "10",
         "incidents-action": "delete"},
        follow=True,
    )  # fmt: skip
    assert answer.status_code == 200
    assert not RetentionRule.objects.exists()


def test_incident_register_in_the_console(client, manager):
    client.force_login(manager)
    form = {
        "occurred_on": "2026-10-02",
        "discovered_on": "2026-10-01",
        "nature": "Relevé envoyé au mauvais client",
        "information": "Nom",
        "people": "Un contact",
        "risk": "low",
    }
    refused = client.post(reverse("console:privacy_incident_new"), form)
    assert refused.status_code == 200
    assert not Incident.objects.exists()

    client.post(reverse("console:privacy_incident_new"), {**form, "discovered_on": "2026-10-03"})

    incident = Incident.objects.get()
    assert client.get(reverse("console:privacy_incident", args=[incident.pk])).status_code == 200
    listing = client.get(reverse("console:privacy_incidents")).content.decode()
    assert "Relevé envoyé au mauvais client" in listing
    csv_answer = client.get(reverse("console:privacy_incidents") + "?format=csv")
    assert "Relevé envoyé au mauvais client" in csv_answer.content.decode("utf-8-sig")


def test_privacy_pages_are_for_managers(client, tech1):
    client.force_login(tech1)
    for name in ("console:privacy", "console:privacy_incidents", "console:privacy_incident_new"):
        assert client.get(reverse(name)).status_code == 302
    assert client.post(reverse("console:privacy_run"), {"dry_run": "0"}).status_code == 302
    assert not RetentionRun.objects.exists()


def test_organization_page_links_to_each_person(client, manager, org):
    person = factories.contact(org, name="Nadia Lien")
    client.force_login(manager)
    page = client.get(reverse("console:organization", args=[org.pk])).content.decode()
    assert reverse("console:person", args=[person.pk]) in page
