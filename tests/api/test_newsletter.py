"""The newsletter API: subscribers with their ledger, issues, sending and its progress."""

from __future__ import annotations

from datetime import date

import pytest

from soutien.contracts.services import contract_create
from soutien.newsletter.models import ConsentText, Delivery
from soutien.outbound.models import OutboundEmail
from tests import factories


@pytest.fixture(autouse=True)
def consent_text(db) -> ConsentText:
    return ConsentText.objects.create(version="2026-11", text_fr="J'accepte.", text_en="I agree.")


@pytest.fixture
def sender(manager):
    from soutien.newsletter import services

    return services.settings_save(
        actor=manager, sender_name="Groupe EBI", postal_address="1234, rue Sherbrooke Ouest",
        reach="soutien@ebi.example", rate_per_minute=0,
    )  # fmt: skip


def _subscribe(api, email: str, **consent):
    consent.setdefault("kind", "express")
    return api.post(
        "newsletter/subscribers", {"email": email, "language": "fr", "consent": consent}
    )


def test_consent_taken_on_the_phone_is_recorded_with_who_took_it(api_as, tech1, manager):
    response = _subscribe(api_as(tech1), "Nadia@Clinique.example", source="console",
                          recorded_by=manager.pk, text_version="2026-11")  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "nadia@clinique.example"
    assert body["state"]["status"] == "subscribed"
    assert body["state"]["basis"] == "express"
    [event] = body["ledger"]
    assert event["kind"] == "express"
    assert event["source"] == "console"
    assert event["text_version"] == "2026-11"
    assert event["text"] == "J'accepte."
    assert event["recorded_by"] == manager.display_name
    assert event["at"].endswith(("-05:00", "-04:00"))


def test_express_consent_from_a_form_sends_the_confirmation(api_as, contact, sender):
    response = _subscribe(api_as(contact), "someone@else.example", source="public_form")
    assert response.status_code == 201
    assert response.json()["state"]["status"] == "awaiting_confirmation"
    assert response.json()["ledger"][0]["awaiting_confirmation"] is True
    assert OutboundEmail.objects.filter(
        to_address="someone@else.example", template="newsletter_confirmation"
    ).exists()


def test_implied_consent_comes_with_its_computed_expiry(api_as, manager, org, contact):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31))  # fmt: skip
    response = _subscribe(api_as(manager), contact.email, kind="implied", source="contract")
    assert response.status_code == 201
    body = response.json()
    assert body["state"]["basis"] == "implied"
    assert body["ledger"][0]["expires_at"] == "2029-03-31T00:00:00-04:00"
    assert body["state"]["until"] == "2029-03-31T00:00:00-04:00"


def test_a_client_cannot_record_implied_consent(api_as, manager, org, contact):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31))  # fmt: skip
    response = _subscribe(api_as(contact), contact.email, kind="implied", source="contract")
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "consent": {"kind": "express", "source": "console"}}, "email"),
        ({"email": "a@b.example", "consent": {"kind": "maybe", "source": "console"}}, None),
        ({"email": "a@b.example", "consent": {"kind": "implied", "source": "portal"}}, None),
        ({"email": "a@b.example"}, None),
        ({"email": "a@b.example", "consent": {"kind": "express", "source": "console",
                                              "text_version": "nope"}}, "text_version"),
        ({"email": "a@b.example", "consent": {"kind": "express", "source": "console",
                                              "recorded_by": 999999}}, "consent.recorded_by"),
    ],
)  # fmt: skip
def test_bad_subscriptions_are_422_with_nothing_recorded(api_as, tech1, payload, field):
    response = api_as(tech1).post("newsletter/subscribers", payload)
    assert response.status_code == 422, response.json()
    assert "detail" in response.json()
    if field:
        assert response.json()["field"] == field
    from soutien.newsletter.models import ConsentEvent

    assert not ConsentEvent.objects.exists()


def test_a_subscriber_is_seen_by_staff_and_by_its_owner_only(api_as, tech1, contact, other_org):
    created = _subscribe(api_as(tech1), contact.email, source="console").json()
    path = f"newsletter/subscribers/{created['id']}"
    assert api_as(tech1).get(path).status_code == 200
    assert api_as(contact).get(path).json()["email"] == contact.email.lower()
    stranger = factories.contact(other_org)
    assert api_as(stranger).get(path).status_code == 404
    assert api_as(tech1).get("newsletter/subscribers/999999").status_code == 404
    assert api_as(tech1).get(f"newsletter/subscribers/{2**63}").status_code == 422
    assert api_as(None).get(path).status_code == 401


def test_an_issue_is_made_sent_once_and_shows_its_progress(api_as, manager, tech1, sender):
    for n in range(3):
        _subscribe(api_as(tech1), f"r{n}@example.org", source="console")
    api = api_as(manager)
    created = api.post("newsletter/issues", {
        "month": "2026-11-15", "intro_fr": "Bonjour.", "intro_en": "Hello.",
        "sections": [{"topic": "news", "title_fr": "Nouvelles", "title_en": "News",
                      "body_fr": "Rien de neuf.", "body_en": "Nothing new."}],
    })  # fmt: skip
    assert created.status_code == 201, created.json()
    issue = created.json()
    assert issue["month"] == "2026-11"
    assert issue["subject_fr"] == "Infolettre technique — novembre 2026"
    assert issue["subject_en"] == "Technical newsletter — November 2026"
    assert issue["status"] == "draft"
    assert issue["url"] is None

    sent = api.post(f"newsletter/issues/{issue['id']}/send")
    assert sent.status_code == 202, sent.json()
    assert sent.json()["status"] in ("sending", "sent")
    assert sent.json()["progress"]["recipients"] == 3
    again = api.post(f"newsletter/issues/{issue['id']}/send")
    assert again.status_code == 409
    assert "detail" in again.json()
    assert Delivery.objects.count() == 3

    progress = api.get(f"newsletter/issues/{issue['id']}").json()["progress"]
    assert set(progress) == {"recipients", "sent", "left", "skipped", "bounced", "failed"}
    assert progress["recipients"] == 3


def test_only_managers_make_issues_and_clients_do_not_see_them(api_as, manager, tech1, contact):
    assert api_as(tech1).post("newsletter/issues", {}).status_code == 403
    created = api_as(manager).post("newsletter/issues", {"month": "2026-11-01"})
    assert created.status_code == 201
    assert api_as(manager).post("newsletter/issues", {"month": "2026-11-30"}).status_code == 409
    path = f"newsletter/issues/{created.json()['id']}"
    assert api_as(contact).get(path).status_code == 404
    assert api_as(contact).post(f"{path}/send").status_code == 404
    assert api_as(tech1).get(path).status_code == 200


def test_an_empty_issue_cannot_be_sent(api_as, manager, sender):
    created = api_as(manager).post("newsletter/issues", {"month": "2026-11-01"}).json()
    response = api_as(manager).post(f"newsletter/issues/{created['id']}/send")
    assert response.status_code == 422
    assert response.json()["field"] == "intro_fr"
