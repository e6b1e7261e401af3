from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from soutien.accounts.models import ApiToken
from tests import factories
from tests.two_factor import code_for, turn_on


def test_token_from_username_and_password_works_until_revoked(api_as, client, manager):
    r = client.post(
        "/api/v1/auth/token",
        {"username": manager.username, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.json()["username"] == manager.username
    assert me.json()["staff_roles"] == ["support_manager"]
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_token_can_be_obtained_with_the_email_address(client, contact):
    r = client.post(
        "/api/v1/auth/token",
        {"username": contact.email.upper(), "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200


def test_only_the_hash_of_a_token_is_stored(client, manager):
    r = client.post(
        "/api/v1/auth/token",
        {"username": manager.username, "password": factories.PASSWORD},
        content_type="application/json",
    )
    raw = r.json()["token"]
    stored = ApiToken.objects.get(user=manager)
    assert raw not in (stored.key_hash, stored.prefix)
    assert stored.prefix == raw[:8]


def test_tokens_expire(client, manager, settings):
    settings.SOUTIEN_API_TOKEN_DAYS = 30
    r = client.post(
        "/api/v1/auth/token",
        {"username": manager.username, "password": factories.PASSWORD, "days": 365},
        content_type="application/json",
    )
    expires = r.json()["expires_at"]
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    assert ApiToken.objects.get(user=manager).expires_at <= timezone.now() + timedelta(
        days=30, seconds=5
    )
    assert expires
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_wrong_password_is_401_and_throttled_to_429(client, manager, settings):
    settings.SOUTIEN_LOGIN_MAX_FAILURES = 3
    wrong = {"username": manager.username, "password": "nope"}
    for _ in range(3):
        r = client.post("/api/v1/auth/token", wrong, content_type="application/json")
        assert r.status_code == 401
        assert r.json()["detail"]
    right = {"username": manager.username, "password": factories.PASSWORD}
    r = client.post("/api/v1/auth/token", right, content_type="application/json")
    assert r.status_code == 429
    assert r.json()["detail"]


def test_inactive_user_cannot_get_or_use_a_token(api_as, client, contact):
    api = api_as(contact)
    contact.is_active = False
    contact.save()
    assert api.get("auth/me").status_code == 401
    r = client.post(
        "/api/v1/auth/token",
        {"username": contact.username, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 401


def test_a_user_lists_and_revokes_its_own_tokens_only(api_as, manager, contact):
    mine = api_as(manager)
    other = api_as(contact)
    tokens = mine.get("auth/tokens").json()
    assert len(tokens) == 1
    other_token = ApiToken.objects.get(user=contact)
    assert mine.delete(f"auth/tokens/{other_token.pk}").status_code == 404
    assert other.get("auth/me").status_code == 200
    assert mine.delete(f"auth/tokens/{tokens[0]['id']}").status_code == 204
    assert mine.get("auth/me").status_code == 401


def test_times_are_given_in_the_callers_time_zone(api_as, contact, manager):
    manager.time_zone = "America/Vancouver"
    manager.save()
    ticket = factories.ticket(contact=contact)
    body = api_as(manager).get(f"tickets/{ticket.pk}").json()
    assert body["received_at"].endswith(("-08:00", "-07:00"))


def _token(client, user, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": factories.PASSWORD, **extra},
        content_type="application/json",
    )


def test_with_two_factor_on_the_token_needs_the_code(client, tech1):
    device, _codes = turn_on(tech1)
    missing = _token(client, tech1)
    assert missing.status_code == 401
    assert missing.json()["code"] == "otp_required"
    assert "otp" in missing.json()["detail"]
    wrong = _token(client, tech1, otp="000000")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "otp_invalid"
    right = _token(client, tech1, otp=code_for(device, steps_ahead=1))
    assert right.status_code == 200, right.content
    assert ApiToken.objects.filter(user=tech1).count() == 1


def test_a_recovery_code_gets_a_token_once(client, manager):
    _device, codes = turn_on(manager)
    assert _token(client, manager, otp=codes[3]).status_code == 200
    assert _token(client, manager, otp=codes[3]).status_code == 401


def test_wrong_codes_are_throttled_like_wrong_passwords(client, tech1, settings):
    settings.SOUTIEN_LOGIN_MAX_FAILURES = 3
    device, _codes = turn_on(tech1)
    for _ in range(3):
        assert _token(client, tech1, otp="000000").status_code == 401
    r = _token(client, tech1, otp=code_for(device, steps_ahead=1))
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
