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
