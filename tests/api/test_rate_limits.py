"""API limits: per token, per address without one; RateLimit-* on every answer, 429 past it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

STATUS = "support-hours/status"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SOUTIEN_API_RATE_PER_TOKEN = 5
    settings.SOUTIEN_API_RATE_PER_ADDRESS = 3
    settings.SOUTIEN_API_RATE_WINDOW_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _standing(r) -> tuple[int, int, int]:
    return int(r["RateLimit-Limit"]), int(r["RateLimit-Remaining"]), int(r["RateLimit-Reset"])


@pytest.mark.django_db
def test_an_address_without_a_token_gets_its_limit_then_a_429_with_retry_after(api_as):
    anonymous = api_as(None)
    with time_machine.travel(timezone.now().replace(second=10), tick=False):
        answers = [anonymous.get(STATUS) for _ in range(4)]
        english = anonymous.get(STATUS, headers={"Accept-Language": "en"})
    assert [r.status_code for r in answers[:3]] == [200, 200, 200]
    assert [_standing(r)[:2] for r in answers[:3]] == [(3, 2), (3, 1), (3, 0)]
    refused = answers[3]
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json()["detail"]
    assert refused["Retry-After"] == "50"
    assert _standing(refused) == (3, 0, 50)
    assert refused["RateLimit-Policy"] == "3;w=60"
    assert refused.json()["detail"].startswith("Trop de requêtes")
    assert english.json()["detail"].startswith("Too many requests")


@pytest.mark.django_db
def test_the_next_window_starts_afresh(api_as):
    anonymous = api_as(None)
    start = timezone.now().replace(second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            anonymous.get(STATUS)
        assert anonymous.get(STATUS).status_code == 429
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        r = anonymous.get(STATUS)
    assert r.status_code == 200
    assert _standing(r)[:2] == (3, 2)


@pytest.mark.django_db
def test_each_token_has_its_own_count_apart_from_the_address(api_as, manager, tech1):
    first, second, anonymous = api_as(manager), api_as(tech1), api_as(None)
    with time_machine.travel(timezone.now().replace(second=0), tick=False):
        answers = [first.get("auth/me") for _ in range(6)]
        assert [r.status_code for r in answers] == [200] * 5 + [429]
        assert _standing(answers[0])[:2] == (5, 4)
        # Another token, and the address itself, are counted apart.
        assert second.get("auth/me").status_code == 200
        assert anonymous.get(STATUS).status_code == 200
        assert _standing(anonymous.get(STATUS))[:2] == (3, 1)


@pytest.mark.django_db
def test_a_made_up_token_is_counted_against_the_address(api_as):
    made_up = api_as(None)
    made_up.headers["Authorization"] = "Bearer not-a-real-token"
    with time_machine.travel(timezone.now().replace(second=0), tick=False):
        answers = [made_up.get("auth/me") for _ in range(4)]
    assert [r.status_code for r in answers] == [401, 401, 401, 429]
    assert _standing(answers[0])[0] == 3


@pytest.mark.django_db
def test_every_api_answer_carries_the_headers_and_the_pages_none(api_as, client):
    anonymous = api_as(None)
    for r in [anonymous.get("tickets"), anonymous.get("nowhere"), anonymous.post("auth/token", {})]:
        assert r.status_code in (401, 404, 422)
        assert "RateLimit-Remaining" in r
    assert "RateLimit-Limit" not in client.get("/connexion/")


@pytest.mark.django_db
def test_addresses_behind_a_trusted_proxy_are_told_apart(api_as, settings):
    settings.SOUTIEN_TRUSTED_PROXIES = 1
    anonymous = api_as(None)
    with time_machine.travel(timezone.now().replace(second=0), tick=False):
        for _ in range(3):
            anonymous.get(STATUS, headers={"X-Forwarded-For": "203.0.113.7"})
        assert anonymous.get(STATUS, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
        other = anonymous.get(STATUS, headers={"X-Forwarded-For": "198.51.100.2"})
        assert other.status_code == 200
        # A client cannot pick its address by adding its own hop in front of the proxy's.
        forged = anonymous.get(STATUS, headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7"})
        assert forged.status_code == 429
