"""GET /api/v1/tickets?q=: search across requests with the existing filters."""

from __future__ import annotations

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories


def subjects(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["subject"] for item in response.json()["items"]]


def test_staff_search_with_filters(api_as, tech1, manager, contact, other_org):
    english = factories.contact(other_org, language="en")
    a = factories.ticket(contact=contact, subject="Dates décalées", body="L'heure est décalée.")
    factories.ticket(contact=english, subject="Dates shifted", body="The dates are shifted.")
    services.message_add(actor=tech1, ticket=a, kind=MessageKind.NOTE, body="Voir fuseau.")
    api = api_as(tech1)
    assert subjects(api.get("tickets?q=décalés")) == ["Dates décalées"]
    assert subjects(api.get("tickets?q=shift")) == ["Dates shifted"]
    assert subjects(api.get("tickets?q=dates&ordering=received_at")) == [
        "Dates décalées",
        "Dates shifted",
    ]
    assert subjects(api.get(f"tickets?q=dates&organization={other_org.pk}")) == ["Dates shifted"]
    assert subjects(api.get("tickets?q=fuseau")) == ["Dates décalées"]
    assert subjects(api.get("tickets?q=dates -fuseau")) == ["Dates shifted"]
    assert subjects(api.get("tickets?q=dates&channel=phone")) == []
    services.ticket_update(actor=manager, ticket=a, level=1)
    assert subjects(api.get("tickets?q=dates&level=1&status=open")) == ["Dates décalées"]
    assert subjects(api.get("tickets?sla=breached")) == []


def test_a_client_searches_only_its_organizations_requests(api_as, tech1, contact, other_org):
    mine = factories.ticket(contact=contact, subject="Imprimante bloquée")
    services.message_add(actor=tech1, ticket=mine, kind=MessageKind.NOTE, body="Client difficile.")
    elsewhere = factories.contact(other_org, language="en")
    factories.ticket(contact=elsewhere, subject="Imprimante bloquée ailleurs")
    api = api_as(contact)
    assert subjects(api.get("tickets?q=imprimante")) == ["Imprimante bloquée"]
    assert subjects(api.get("tickets?q=ailleurs")) == []
    assert subjects(api.get("tickets?q=difficile")) == []
    assert subjects(api.get(f"tickets?q=imprimante&organization={other_org.pk}")) == []


def test_bad_search_input_is_a_4xx_with_a_detail(api_as, tech1):
    api = api_as(tech1)
    for query in (
        "tickets?sla=maybe",
        "tickets?received_from=yesterday",
        "tickets?channel=pigeon",
        "tickets?status=nope",
        "tickets?q=" + "x" * 300,
    ):
        response = api.get(query)
        assert 400 <= response.status_code < 500, query
        assert "detail" in response.json()
    assert api.get('tickets?q="unclosed').status_code == 200
    assert api.get("tickets?q=-only -excluded").status_code == 200
    assert api.get("tickets?q=%00").status_code in (200, 400, 422)
