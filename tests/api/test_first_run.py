"""Done when: a superuser made with `createsuperuser --noinput` gets a token that runs the API."""

from __future__ import annotations

from django.core.management import call_command


def test_superuser_token_creates_organizations_contacts_and_requests(db, client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "un-mot-de-passe-long")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    call_command("createsuperuser", interactive=False, verbosity=0)

    r = client.post(
        "/api/v1/auth/token",
        {"username": "root", "password": "un-mot-de-passe-long"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    headers = {"Authorization": f"Bearer {r.json()['token']}"}

    def post(path, payload):
        return client.post(
            f"/api/v1/{path}", payload, content_type="application/json", headers=headers
        )

    org = post("organizations", {"name": "Éditions Boréal", "language": "fr"})
    assert org.status_code == 201
    org_id = org.json()["id"]
    contact = post(
        f"organizations/{org_id}/contacts",
        {
            "email": "luc@boreal.example",
            "name": "Luc Bouchard",
            "language": "fr",
            "role": "contact",
        },
    )
    assert contact.status_code == 201
    ticket = post(
        "tickets",
        {
            "organization": org_id,
            "contact": contact.json()["id"],
            "subject": "Synchronisation des profils",
            "body": "Les profils sécurisés ne se synchronisent plus.",
            "channel": "email",
            "received_at": "2026-11-24T09:30:00-05:00",
        },
    )
    assert ticket.status_code == 201, ticket.content
    body = ticket.json()
    assert body["status"] == "new"
    assert body["level"] is None
    assert "sla" in body
