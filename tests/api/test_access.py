"""The API of getting in: invitations, password resets, deactivation (docs/api.md, "Access")."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from soutien.accounts.models import User
from soutien.outbound.models import OutboundEmail
from tests import factories
from tests.accounts.outbox import latest_email, link_in, token_of

pytestmark = pytest.mark.django_db
NEW = "Tremplin-Boréal-2026"


def _contact(api, org_id: int, email: str, **extra):
    body = {"email": email, "name": "Luc Bouchard", "language": "fr", **extra}
    r = api.post(f"organizations/{org_id}/contacts", body)
    assert r.status_code == 201, r.content
    return r.json()


def test_a_contact_created_with_invite_accepts_and_gets_a_token(api_as, manager, org):
    created = _contact(api_as(manager), org.pk, "luc@boreal.example", invite=True)
    token = token_of(link_in(latest_email("luc@boreal.example", "invitation")))
    anonymous = api_as(None)
    refused = anonymous.post("auth/token", {"username": "luc@boreal.example", "password": NEW})
    assert refused.status_code == 401
    r = anonymous.post("invitations/accept", {"token": token, "password": NEW})
    assert r.status_code == 200, r.content
    assert r.json()["user"] == created["id"]
    r = anonymous.post("auth/token", {"username": "luc@boreal.example", "password": NEW})
    assert r.status_code == 200, r.content
    again = anonymous.post("invitations/accept", {"token": token, "password": NEW + "!"})
    assert again.status_code == 422
    assert again.json()["field"] == "token"


def test_a_contact_created_without_invite_gets_no_email_until_invited(api_as, manager, org):
    api = api_as(manager)
    created = _contact(api, org.pk, "ana@boreal.example")
    assert not OutboundEmail.objects.exists()
    assert api.get(f"users/{created['id']}/access").json()["access"] == "not_invited"
    r = api.post(f"users/{created['id']}/invitation")
    assert r.status_code == 202, r.content
    assert r.json()["sent_to"] == "ana@boreal.example"
    assert api.get(f"users/{created['id']}/access").json()["access"] == "invited"
    first = token_of(link_in(latest_email("ana@boreal.example", "invitation")))
    assert api.post(f"users/{created['id']}/invitation").status_code == 202
    second = token_of(link_in(latest_email("ana@boreal.example", "invitation")))
    anonymous = api_as(None)
    old = anonymous.post("invitations/accept", {"token": first, "password": NEW})
    assert old.status_code == 422
    assert (
        anonymous.post("invitations/accept", {"token": second, "password": NEW}).status_code == 200
    )
    assert api.get(f"users/{created['id']}/access").json()["access"] == "active"


def test_an_expired_invitation_is_refused(api_as, manager, contact):
    api_as(manager).post(f"users/{contact.pk}/invitation")
    token = token_of(link_in(latest_email(contact.email, "invitation")))
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        r = api_as(None).post("invitations/accept", {"token": token, "password": NEW})
    assert r.status_code == 422


@pytest.mark.parametrize("token", ["wrong", "a" * 200])
def test_a_wrong_token_is_422_not_500(api_as, token):
    r = api_as(None).post("auth/password-reset/confirm", {"token": token, "password": NEW})
    assert r.status_code == 422
    assert "detail" in r.json()


def test_a_weak_password_is_refused_with_the_validators_reasons(api_as, manager, contact):
    api_as(manager).post(f"users/{contact.pk}/invitation")
    token = token_of(link_in(latest_email(contact.email, "invitation")))
    r = api_as(None).post("invitations/accept", {"token": token, "password": "12345678"})
    assert r.status_code == 422
    assert r.json()["field"] == "password"
    assert len(r.json()["errors"]) >= 2  # too common and entirely numeric


def test_password_reset_does_not_tell_whether_an_address_exists(api_as, contact):
    anonymous = api_as(None)
    known = anonymous.post("auth/password-reset", {"email": contact.email})
    unknown = anonymous.post("auth/password-reset", {"email": "nobody@nowhere.example"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert OutboundEmail.objects.filter(template="password_reset").count() == 1


def test_password_reset_ends_the_other_tokens(api_as, contact):
    old = api_as(contact)
    assert old.get("auth/me").status_code == 200
    anonymous = api_as(None)
    anonymous.post("auth/password-reset", {"email": contact.email})
    token = token_of(link_in(latest_email(contact.email, "password_reset")))
    r = anonymous.post("auth/password-reset/confirm", {"token": token, "password": NEW})
    assert r.status_code == 200, r.content
    assert old.get("auth/me").status_code == 401
    told = latest_email(contact.email, "password_changed")
    assert contact.username in told.text
    signed = anonymous.post("auth/token", {"username": contact.username, "password": NEW})
    assert signed.status_code == 200
    stale = anonymous.post(
        "auth/token", {"username": contact.username, "password": factories.PASSWORD}
    )
    assert stale.status_code == 401


def test_client_admin_of_one_organization_cannot_reach_another_ones_people(
    api_as, client_admin, contact, other_org
):
    stranger = factories.contact(other_org)
    api = api_as(client_admin)
    assert api.post(f"users/{stranger.pk}/invitation").status_code == 404
    assert api.post(f"users/{stranger.pk}/deactivate").status_code == 404
    assert api.get(f"users/{stranger.pk}/access").status_code == 404
    assert not OutboundEmail.objects.exists()
    assert api.post(f"users/{contact.pk}/invitation").status_code == 202


def test_a_client_admin_invites_a_colleague_it_creates(api_as, client_admin, org):
    _contact(api_as(client_admin), org.pk, "collegue@ville.example", invite=True)
    assert latest_email("collegue@ville.example", "invitation").text


def test_a_contact_cannot_invite_or_deactivate(api_as, contact, client_admin):
    api = api_as(contact)
    assert api.post(f"users/{client_admin.pk}/invitation").status_code == 404
    assert api.post(f"users/{client_admin.pk}/deactivate").status_code == 404


def test_deactivation_ends_tokens_at_once_and_blocks_sign_in(api_as, manager, contact):
    theirs = api_as(contact)
    assert theirs.get("auth/me").status_code == 200
    r = api_as(manager).post(f"users/{contact.pk}/deactivate")
    assert r.status_code == 200, r.content
    assert r.json()["access"] == "deactivated"
    assert theirs.get("auth/me").status_code == 401
    anonymous = api_as(None)
    refused = anonymous.post(
        "auth/token", {"username": contact.username, "password": factories.PASSWORD}
    )
    assert refused.status_code == 401
    assert anonymous.post("auth/password-reset", {"email": contact.email}).status_code == 202
    assert not OutboundEmail.objects.exists()
    again = api_as(manager).post(f"users/{contact.pk}/invitation")
    assert again.status_code == 409
    back = api_as(manager).post(f"users/{contact.pk}/reactivate")
    assert back.json()["access"] == "not_invited"
    assert api_as(manager).post(f"users/{contact.pk}/invitation").status_code == 202
    assert User.objects.get(pk=contact.pk).is_active


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("auth/password-reset", {"email": ""}),
        ("auth/password-reset", {"email": "x\u0000@y.example"}),
        ("auth/password-reset", []),
        ("invitations/accept", {"token": "x"}),
        ("invitations/accept", {"token": "", "password": "x"}),
    ],
)
def test_bad_bodies_are_422(api_as, path, body):
    assert api_as(None).post(path, body).status_code == 422


def test_a_reset_asks_the_worker_so_known_and_unknown_addresses_cost_the_same(
    api_as, contact, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    anonymous = api_as(None)
    counts = []
    for address in (contact.email, "nobody@nowhere.example"):
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.post("auth/password-reset", {"email": address}).status_code == 202
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert not OutboundEmail.objects.exists()
    queued = [result.args for result in default_task_backend.results]
    assert queued == [[contact.email], ["nobody@nowhere.example"]]


def test_the_person_in_charge_of_personal_information_is_public_and_set_by_a_manager(
    api_as, manager, tech1
):
    anonymous = api_as(None)
    assert anonymous.get("privacy-officer").status_code == 404
    body = {"name": "Claire Dubé", "email": "vie-privee@ebi.example", "postal_address": "Montréal"}
    assert api_as(tech1).put("privacy-officer", body).status_code == 403
    assert api_as(manager).put("privacy-officer", {**body, "email": "nope"}).status_code == 422
    saved = api_as(manager).put("privacy-officer", body)
    assert saved.status_code == 200, saved.content
    shown = anonymous.get("privacy-officer").json()
    assert shown["name"] == "Claire Dubé"
    assert shown["email"] == "vie-privee@ebi.example"
