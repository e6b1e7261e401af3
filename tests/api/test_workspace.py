"""Bulk actions, merging and linking requests through the API."""

from __future__ import annotations

from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Ticket
from tests import factories


def test_bulk_says_what_was_done_and_what_was_refused(api_as, manager, contact):
    a, b = factories.ticket(contact=contact), factories.ticket(contact=contact)
    api = api_as(manager)
    response = api.post("tickets/bulk", {"tickets": [a.pk, b.pk], "action": "level", "level": 2})
    assert response.status_code == 200, response.content
    assert response.json() == {"action": "level", "done": [a.pk, b.pk], "refused": []}
    response = api.post(
        "tickets/bulk", {"tickets": [a.pk, 999999], "action": "status", "status": "new"}
    )
    body = response.json()
    assert body["done"] == []
    assert [r["ticket"] for r in body["refused"]] == [a.pk, 999999]
    assert all(r["reason"] for r in body["refused"])
    refused = api.post(
        "tickets/bulk", {"tickets": [a.pk, b.pk], "action": "assign", "assignee": "auto"}
    ).json()["refused"]
    assert [r["ticket"] for r in refused] == [a.pk, b.pk]  # nobody handles level 2 yet
    technician = factories.staff(levels=(2,))
    response = api.post(
        "tickets/bulk", {"tickets": [a.pk, b.pk], "action": "assign", "assignee": "auto"}
    )
    assert response.json()["done"] == [a.pk, b.pk]
    assert {t.assignee_id for t in Ticket.objects.filter(pk__in=[a.pk, b.pk])} == {technician.pk}


def test_bulk_bad_input_is_a_4xx(api_as, manager, contact):
    t = factories.ticket(contact=contact)
    api = api_as(manager)
    for payload in (
        {"tickets": [], "action": "note", "note": "x"},
        {"tickets": [t.pk], "action": "explode"},
        {"tickets": [t.pk], "action": "level"},
        {"tickets": [t.pk], "action": "note", "note": " "},
        {"tickets": [t.pk], "action": "assign", "assignee": 999999},
        {"tickets": [t.pk], "action": "merge", "into": 999999},
    ):
        response = api.post("tickets/bulk", payload)
        assert 400 <= response.status_code < 500, payload
        assert "detail" in response.json()
    assert (
        api_as(contact)
        .post("tickets/bulk", {"tickets": [t.pk], "action": "note", "note": "x"})
        .status_code
        == 403
    )


def test_merge_and_links(api_as, tech1, contact, other_org):
    into = factories.ticket(contact=contact, subject="Original")
    duplicate = factories.ticket(contact=contact, subject="Doublon")
    related = factories.ticket(contact=contact, subject="Voisine")
    api = api_as(tech1)
    response = api.post(f"tickets/{duplicate.pk}/merge", {"into": into.pk})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == into.pk
    merged = api.get(f"tickets/{duplicate.pk}").json()
    assert merged["merged_into"] == into.pk
    assert merged["status"] == "closed"
    assert OutboundEmail.objects.filter(template="merged", ticket_id=duplicate.pk).exists()
    assert api.post(f"tickets/{duplicate.pk}/merge", {"into": into.pk}).status_code == 409
    assert api.post(f"tickets/{into.pk}/merge", {"into": into.pk}).status_code == 422

    assert api.post(f"tickets/{into.pk}/links", {"other": related.pk}).status_code == 201
    assert [t["id"] for t in api.get(f"tickets/{related.pk}/links").json()] == [into.pk]
    assert [t["id"] for t in api_as(contact).get(f"tickets/{into.pk}/links").json()] == [related.pk]
    assert api.delete(f"tickets/{related.pk}/links/{into.pk}").status_code == 204
    assert api.get(f"tickets/{into.pk}/links").json() == []
    assert api.delete(f"tickets/{related.pk}/links/{into.pk}").status_code == 422


def test_clients_can_neither_merge_nor_reach_other_organizations(api_as, contact, other_org):
    mine = factories.ticket(contact=contact)
    theirs = factories.ticket(contact=factories.contact(other_org))
    api = api_as(contact)
    assert api.post(f"tickets/{mine.pk}/merge", {"into": theirs.pk}).status_code == 404
    assert api.post(f"tickets/{theirs.pk}/links", {"other": mine.pk}).status_code == 404
    other_mine = factories.ticket(contact=contact)
    assert api.post(f"tickets/{mine.pk}/merge", {"into": other_mine.pk}).status_code == 403
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 0


def test_saved_views_are_listed_with_their_counts_shared_and_deleted(
    api_as, tech1, tech2, manager, contact
):
    from soutien.ticketing import services

    a, _b = factories.ticket(contact=contact), factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=a, level=1)
    theo, tina = api_as(tech1), api_as(tech2)
    response = theo.post("views", {"name": "Niveau 1", "params": {"level": 1}, "shared": True})
    assert response.status_code == 201, response.content
    view = response.json()
    assert (view["name"], view["count"], view["owner"]) == ("Niveau 1", 1, tech1.pk)
    mine = theo.post("views", {"name": "Tout", "params": {}}).json()
    assert mine["count"] == 2
    assert [(v["name"], v["count"]) for v in tina.get("views").json()] == [("Niveau 1", 1)]
    found = tina.get(f"tickets?level=1&q={a.pk}").json()
    assert [t["id"] for t in found["items"]] == [a.pk]
    assert tina.delete(f"views/{mine['id']}").status_code == 404, "someone else's own view"
    assert theo.delete(f"views/{mine['id']}").status_code == 204
    assert [v["name"] for v in theo.get("views").json()] == ["Niveau 1"]
    bad = theo.post("views", {"name": "X", "params": {"status": "nowhere"}})
    assert bad.status_code in (400, 422)
    assert bad.json()["detail"]
    assert theo.post("views", {"name": "", "params": {}}).status_code == 422


def test_a_macro_is_written_previewed_and_answers_in_the_clients_language(
    api_as, tech1, manager, other_org
):
    english = factories.contact(other_org, name="Sarah Connor", language="en")
    ticket = factories.ticket(contact=english, subject="Login")
    theo = api_as(tech1)
    response = theo.post(
        "macros",
        {
            "name": "Reçu",
            "body_fr": "Bonjour {contact}, demande {number}.",
            "body_en": "Hello {contact}, request {number}.",
            "set_level": 1,
            "set_status": "waiting",
        },
    )
    assert response.status_code == 201, response.content
    macro = response.json()
    assert [m["name"] for m in theo.get("macros").json()] == ["Reçu"]
    assert api_as(manager).get("macros").json() == [], "a personal macro is its writer's"
    preview = theo.get(f"tickets/{ticket.pk}/macros/{macro['id']}").json()
    assert preview == {"text": f"Hello Sarah Connor, request {ticket.pk}."}
    used = theo.post(f"tickets/{ticket.pk}/macros/{macro['id']}", {})
    assert used.status_code == 201, used.content
    body = used.json()
    assert (body["ticket"]["level"], body["ticket"]["status"]) == (1, "waiting")
    reply = ticket.messages.get(pk=body["message"])
    assert reply.body == f"Hello Sarah Connor, request {ticket.pk}."
    bad = theo.post("macros", {"name": "X", "body_fr": "a", "body_en": "b", "set_level": 7})
    assert bad.status_code == 422
    assert bad.json()["detail"]
    assert api_as(manager).delete(f"macros/{macro['id']}").status_code == 404
    assert theo.delete(f"macros/{macro['id']}").status_code == 204
    assert theo.get("macros").json() == []
