"""Every endpoint answers bad input with a 4xx and a JSON detail, never a 500, and keeps nothing."""

from __future__ import annotations

import pytest

from soutien.accounts.models import Organization, User
from soutien.ticketing.models import Message, Ticket
from tests import factories

HUGE_ID = 10**30
BIGINT_EDGE = 2**63


def _assert_clear_4xx(response, expected: int | None = None) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if expected is not None:
        assert response.status_code == expected, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.fixture
def ticket(contact):
    return factories.ticket(contact=contact)


def write_endpoints(org_id: int, ticket_id: int) -> list[tuple[str, str]]:
    return [
        ("post", "auth/token"),
        ("post", "organizations"),
        ("post", f"organizations/{org_id}/contacts"),
        ("post", "tickets"),
        ("patch", f"tickets/{ticket_id}"),
        ("post", f"tickets/{ticket_id}/messages"),
    ]


@pytest.mark.parametrize("raw", ["{", "not json", '{"subject": }', "[1, 2", "\x00\x01"])
def test_malformed_json_is_400(api_as, manager, org, ticket, raw):
    api = api_as(manager)
    for method, path in write_endpoints(org.pk, ticket.pk):
        _assert_clear_4xx(api._send(method, path, raw=raw), 400)


def test_wrong_types_are_422(api_as, manager, org, contact, ticket):
    api = api_as(manager)
    cases = [
        ("post", "organizations", {"name": 12, "language": ["fr"]}),
        ("post", "organizations", {"name": "X", "language": "de"}),
        ("post", f"organizations/{org.pk}/contacts", {"email": None, "name": "x"}),
        (
            "post",
            f"organizations/{org.pk}/contacts",
            {"email": "a@b.c", "name": "x", "role": "god"},
        ),
        ("post", "tickets", {"organization": "one", "contact": contact.pk, "subject": "x"}),
        ("post", "tickets", {"organization": org.pk, "contact": contact.pk, "subject": {"a": 1}}),
        (
            "post",
            "tickets",
            {"organization": org.pk, "contact": contact.pk, "subject": "x", "channel": "pigeon"},
        ),
        ("patch", f"tickets/{ticket.pk}", {"level": "high"}),
        ("patch", f"tickets/{ticket.pk}", {"level": 4}),
        ("patch", f"tickets/{ticket.pk}", {"status": "deleted"}),
        ("patch", f"tickets/{ticket.pk}", {"assignee": "whoever"}),
        ("post", f"tickets/{ticket.pk}/messages", {"body": "x", "kind": "telepathy"}),
        (
            "post",
            f"tickets/{ticket.pk}/messages",
            {"body": "x", "kind": "phone_call", "duration_minutes": -5},
        ),
        (
            "post",
            f"tickets/{ticket.pk}/messages",
            {"body": "x", "kind": "phone_call", "duration_minutes": 100000},
        ),
        ("post", "tickets", ["a", "list"]),
    ]
    for method, path, payload in cases:
        _assert_clear_4xx(api._send(method, path, payload), 422)
    assert Organization.objects.count() == 1
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "date", ["2026-13-45T10:00:00Z", "yesterday", "2026-02-30", "", "99999-01-01T00:00:00Z"]
)
def test_invalid_dates_are_422(api_as, manager, org, contact, ticket, date):
    api = api_as(manager)
    r = api.post(
        "tickets",
        {"organization": org.pk, "contact": contact.pk, "subject": "x", "received_at": date},
    )
    _assert_clear_4xx(r, 422)
    r = api.post(f"tickets/{ticket.pk}/messages", {"body": "x", "kind": "note", "at": date})
    _assert_clear_4xx(r, 422)


def test_far_past_dates_are_refused(api_as, manager, org, contact):
    r = api_as(manager).post(
        "tickets",
        {
            "organization": org.pk,
            "contact": contact.pk,
            "subject": "x",
            "received_at": "0001-01-01T00:00:00+05:00",
        },
    )
    _assert_clear_4xx(r, 422)


def test_over_long_fields_are_422(api_as, manager, org, contact, ticket):
    api = api_as(manager)
    long = "é" * 300
    _assert_clear_4xx(api.post("organizations", {"name": long}), 422)
    _assert_clear_4xx(
        api.post(f"organizations/{org.pk}/contacts", {"email": "a@b.ca", "name": long}), 422
    )
    _assert_clear_4xx(
        api.post("tickets", {"organization": org.pk, "contact": contact.pk, "subject": long}), 422
    )
    huge_body = "x" * 100_001
    r = api.post(f"tickets/{ticket.pk}/messages", {"body": huge_body, "kind": "note"})
    _assert_clear_4xx(r)
    assert not Message.objects.exists()


def test_nul_characters_are_refused_not_a_database_error(api_as, manager, org, contact, ticket):
    api = api_as(manager)
    _assert_clear_4xx(api.post("organizations", {"name": "A\x00B"}), 422)
    _assert_clear_4xx(
        api.post("tickets", {"organization": org.pk, "contact": contact.pk, "subject": "a\x00"}),
        422,
    )
    _assert_clear_4xx(
        api.post(f"tickets/{ticket.pk}/messages", {"body": "a\x00b", "kind": "note"}), 422
    )


@pytest.mark.parametrize("bad_id", [0, -1, HUGE_ID, BIGINT_EDGE])
def test_out_of_range_ids_are_4xx_not_database_errors(api_as, manager, org, contact, bad_id):
    api = api_as(manager)
    for path in [
        f"tickets/{bad_id}",
        f"organizations/{bad_id}",
        f"attachments/{bad_id}",
        f"tickets/{bad_id}/messages",
    ]:
        _assert_clear_4xx(api.get(path))
    _assert_clear_4xx(
        api.post("tickets", {"organization": bad_id, "contact": contact.pk, "subject": "x"})
    )
    _assert_clear_4xx(
        api.post("tickets", {"organization": org.pk, "contact": bad_id, "subject": "x"})
    )


def test_unknown_ids_are_404(api_as, manager, org, contact, ticket):
    api = api_as(manager)
    missing = 987654
    _assert_clear_4xx(api.get(f"tickets/{missing}"), 404)
    _assert_clear_4xx(api.patch(f"tickets/{missing}", {"level": 1}), 404)
    _assert_clear_4xx(api.post(f"tickets/{missing}/messages", {"body": "x"}), 404)
    _assert_clear_4xx(api.get(f"organizations/{missing}"), 404)
    _assert_clear_4xx(
        api.post(f"organizations/{missing}/contacts", {"email": "a@b.ca", "name": "A"}), 404
    )
    _assert_clear_4xx(
        api.post("tickets", {"organization": missing, "contact": contact.pk, "subject": "x"}), 404
    )
    _assert_clear_4xx(api.patch(f"tickets/{ticket.pk}", {"assignee": missing}), 422)


def test_duplicate_email_and_organization_are_409(api_as, manager, org, contact):
    api = api_as(manager)
    _assert_clear_4xx(api.post("organizations", {"name": org.name.upper()}), 409)
    r = api.post(
        f"organizations/{org.pk}/contacts", {"email": contact.email.upper(), "name": "Double"}
    )
    _assert_clear_4xx(r, 409)
    assert User.objects.filter(email__iexact=contact.email).count() == 1


def test_invalid_email_is_422(api_as, manager, org):
    r = api_as(manager).post(
        f"organizations/{org.pk}/contacts", {"email": "not-an-email", "name": "A"}
    )
    _assert_clear_4xx(r, 422)


def test_missing_or_bad_token_is_401_everywhere(api_as, org, ticket):
    anonymous = api_as(None)
    for path in [
        "tickets",
        f"tickets/{ticket.pk}",
        "organizations",
        f"organizations/{org.pk}/contacts",
        "auth/me",
    ]:
        r = anonymous.get(path)
        _assert_clear_4xx(r, 401)
        assert r["WWW-Authenticate"] == "Bearer"
        r = anonymous.get(path, headers={"Authorization": "Bearer nonsense"})
        _assert_clear_4xx(r, 401)
