from __future__ import annotations

import io
import zipfile

import pytest

from soutien.privacy.models import AccessEntry, Export, Incident
from tests import factories
from tests.privacy import helpers

pytestmark = pytest.mark.django_db


def put(api, path, data):
    return api._send("put", path, data)


INCIDENT = {
    "occurred_on": "2026-10-02",
    "discovered_on": "2026-10-05",
    "nature": "Relevé envoyé au mauvais client",
    "information": "Nom, heures consommées",
    "people": "Un contact de la Ville de Saint-Laurent",
    "people_count": 1,
    "risk": "low",
    "risk_assessment": "Renseignements peu sensibles, destinataire de confiance.",
    "measures": "Courriel de suppression demandé et confirmé.",
}


def test_manager_exports_a_person_then_downloads_the_zip(api_as, manager, contact):
    api = api_as(manager)

    created = api.post("privacy/exports", {"user": contact.pk})

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["user"] == contact.pk
    assert body["requested_by"] == manager.pk
    assert body["delivered_at"] is None
    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "data.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert api.get(f"privacy/exports/{body['id']}").json()["delivered_at"] is not None


def test_a_client_cannot_export_another_person(api_as, contact, client_admin, other_org):
    stranger = factories.contact(other_org)
    api = api_as(contact)
    assert api.post("privacy/exports", {"user": client_admin.pk}).status_code == 404
    assert api.post("privacy/exports", {"user": stranger.pk}).status_code == 404
    assert api.post("privacy/exports", {"user": contact.pk}).status_code == 201


def test_a_technician_cannot_export_another_person(api_as, tech1, contact, manager):
    answer = api_as(tech1).post("privacy/exports", {"user": contact.pk})
    assert answer.status_code == 403
    assert "detail" in answer.json()
    mine = api_as(manager).post("privacy/exports", {"user": contact.pk}).json()
    assert api_as(tech1).get(f"privacy/exports/{mine['id']}/download").status_code == 404
    assert api_as(tech1).get(f"privacy/exports/{mine['id']}").status_code == 404
    assert Export.objects.get().delivered_at is None


def test_export_of_nobody_is_404_and_bad_body_422(api_as, manager):
    api = api_as(manager)
    assert api.post("privacy/exports", {"user": 999_999}).status_code == 404
    assert api.post("privacy/exports", {"user": "x"}).status_code == 422
    assert api.post("privacy/exports", raw="[]").status_code in (400, 422)


def test_opening_a_persons_record_is_logged_and_shown_to_managers(api_as, tech1, manager, contact):
    assert api_as(tech1).get(f"users/{contact.pk}").json()["email"] == contact.email
    assert api_as(contact).get(f"users/{contact.pk}").status_code == 200

    log = api_as(manager).get(f"users/{contact.pk}/access-log")

    assert log.status_code == 200
    assert [(e["viewer"], e["where"]) for e in log.json()] == [(tech1.pk, "api")]
    assert api_as(tech1).get(f"users/{contact.pk}/access-log").status_code == 403


def test_a_client_cannot_open_another_organizations_person(api_as, contact, other_org):
    stranger = factories.contact(other_org)
    assert api_as(contact).get(f"users/{stranger.pk}").status_code == 404
    assert not AccessEntry.objects.exists()


def test_incident_register_create_read_update_and_csv(api_as, manager):
    api = api_as(manager)

    created = api.post("privacy/incidents", INCIDENT)

    assert created.status_code == 201, created.content
    incident = created.json()
    assert incident["kept_until"] >= "2031-"
    changed = put(
        api,
        f"privacy/incidents/{incident['id']}",
        {**INCIDENT, "commission_notified_on": "2026-10-06", "people_notified_on": "2026-10-06"},
    )
    assert changed.json()["commission_notified_on"] == "2026-10-06"
    assert [i["id"] for i in api.get("privacy/incidents").json()] == [incident["id"]]
    csv_answer = api.get("privacy/incidents.csv")
    assert csv_answer["Content-Type"].startswith("text/csv")
    text = csv_answer.content.decode("utf-8-sig")
    assert "Relevé envoyé au mauvais client" in text
    assert "2026-10-06" in text


def test_incident_dates_are_checked(api_as, manager):
    api = api_as(manager)
    backwards = api.post("privacy/incidents", {**INCIDENT, "discovered_on": "2026-09-01"})
    assert backwards.status_code == 422
    assert backwards.json()["field"] == "discovered_on"
    assert (
        api.post("privacy/incidents", {**INCIDENT, "occurred_on": "2999-01-01"}).status_code == 422
    )
    assert not Incident.objects.exists()


def test_only_managers_keep_the_register(api_as, tech1, contact):
    for person in (tech1, contact):
        api = api_as(person)
        assert api.get("privacy/incidents").status_code == 403
        assert api.post("privacy/incidents", INCIDENT).status_code == 403
        assert api.get("privacy/incidents.csv").status_code == 403
        assert api.get("privacy/retention/rules").status_code == 403
        assert api.post("privacy/retention/runs", {"dry_run": True}).status_code == 403


def test_rules_are_set_and_a_dry_run_changes_nothing(api_as, manager):
    helpers.login_failure(100)
    api = api_as(manager)

    rule = put(api, "privacy/retention/rules/sign_in_log", {"days": 30, "action": "delete"})
    dry = api.post("privacy/retention/runs", {"dry_run": True})

    assert rule.status_code == 200, rule.content
    assert rule.json()["days"] == 30
    assert dry.status_code == 201
    assert dry.json()["counts"]["sign_in_log"]["count"] == 1
    assert helpers.LoginFailure.objects.count() == 1
    real = api.post("privacy/retention/runs", {"dry_run": False})
    assert real.json()["total"] == 1
    assert helpers.LoginFailure.objects.count() == 0
    assert len(api.get("privacy/retention/runs").json()) == 2
    assert put(api, "privacy/retention/rules/nothing", {"days": 3}).status_code == 422
    assert put(api, "privacy/retention/rules/incidents", {"days": 30}).status_code == 422
    cleared = put(api, "privacy/retention/rules/sign_in_log", {"days": None})
    assert cleared.json()["days"] is None


def test_the_openapi_document_lists_the_privacy_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/privacy/exports",
        "/api/v1/privacy/exports/{export_id}/download",
        "/api/v1/privacy/incidents",
        "/api/v1/privacy/incidents.csv",
        "/api/v1/privacy/retention/rules/{kind}",
        "/api/v1/privacy/retention/runs",
        "/api/v1/users/{user_id}",
        "/api/v1/users/{user_id}/access-log",
    ):
        assert path in paths


def test_exports_of_a_person_are_listed_to_managers_and_to_the_person(
    api_as, manager, contact, tech1
):
    api_as(manager).post("privacy/exports", {"user": contact.pk})
    api_as(contact).post("privacy/exports", {"user": contact.pk})

    listed = api_as(manager).get(f"privacy/exports?user={contact.pk}").json()

    assert [e["requested_by"] for e in listed] == [contact.pk, manager.pk]
    assert len(api_as(contact).get(f"privacy/exports?user={contact.pk}").json()) == 2
    assert api_as(tech1).get(f"privacy/exports?user={contact.pk}").status_code == 403
    assert api_as(manager).get("privacy/exports").status_code == 422
