"""A reply through the API that was written before someone else answered is refused (409)."""

from __future__ import annotations

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories


def test_a_stale_reply_is_refused_with_the_newer_message_then_sent_with_its_id(
    api_as, tech1, contact
):
    tina = factories.staff(levels=(1,), name="Tina Deux")
    ticket = factories.ticket(contact=contact)
    newer = services.message_add(actor=tina, ticket=ticket, kind=MessageKind.REPLY, body="Réglé.")
    api = api_as(tech1)
    url = f"tickets/{ticket.pk}/messages"
    r = api.post(url, {"body": "Videz le cache.", "kind": "reply", "seen_message_id": 0})
    assert r.status_code == 409
    answer = r.json()
    assert answer["latest_message_id"] == newer.pk
    assert answer["latest_message_author"] == "Tina Deux"
    assert "Tina Deux" in answer["detail"]
    assert ticket.messages.count() == 1

    r = api.post(url, {"body": "Videz le cache.", "kind": "reply", "seen_message_id": newer.pk})
    assert r.status_code == 201


def test_without_seen_message_id_a_reply_is_sent_as_before(api_as, tech1, contact):
    tina = factories.staff(levels=(1,), name="Tina Deux")
    ticket = factories.ticket(contact=contact)
    services.message_add(actor=tina, ticket=ticket, kind=MessageKind.REPLY, body="Réglé.")
    r = api_as(tech1).post(f"tickets/{ticket.pk}/messages", {"body": "Aussi.", "kind": "reply"})
    assert r.status_code == 201


def test_a_negative_seen_message_id_is_bad_input(api_as, tech1, contact):
    ticket = factories.ticket(contact=contact)
    r = api_as(tech1).post(
        f"tickets/{ticket.pk}/messages", {"body": "x", "kind": "reply", "seen_message_id": -1}
    )
    assert r.status_code == 422
    assert "detail" in r.json()


def test_every_time_of_every_answer_is_in_the_callers_zone(client, api_as, manager, contact):
    """Tickets, the new token's expiry, the token list and organizations: one rule (docs/api.md)."""
    manager.time_zone = "America/Vancouver"
    manager.save(update_fields=["time_zone"])
    factories.ticket(contact=contact)
    api = api_as(manager)
    offsets = set()
    ticket = api.get("tickets").json()["items"][0]
    offsets.add(ticket["received_at"][-6:])
    (token,) = api.get("auth/tokens").json()
    offsets |= {token["created_at"][-6:], token["expires_at"][-6:]}
    organization = api.get(f"organizations/{contact.organization_id}").json()
    offsets.add(organization["created_at"][-6:])
    obtained = client.post(
        "/api/v1/auth/token",
        {"username": manager.username, "password": factories.PASSWORD},
        content_type="application/json",
    ).json()
    offsets.add(obtained["expires_at"][-6:])
    assert offsets <= {"-08:00", "-07:00"}, offsets
