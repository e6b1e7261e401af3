"""Saved views and macros: services, selectors and the API."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from soutien.core.dates import moment_text
from soutien.core.errors import InvalidInput, NotAllowed
from soutien.ticketing.models import MessageKind, Status
from soutien.workspace import selectors, services
from tests import factories


def test_views_are_personal_or_shared_and_counted(manager, tech1, tech2, contact):
    for n in range(3):
        factories.ticket(contact=contact, subject=f"Écran noir {n}")
    factories.ticket(contact=contact, subject="Autre chose")
    mine = services.view_save(actor=tech1, name="Écrans", params={"q": "écran"})
    team = services.view_save(actor=manager, name="À trier", params={"level": "none"}, shared=True)
    assert set(selectors.views_for(tech1)) == {mine, team}
    assert list(selectors.views_for(tech2)) == [team]
    assert selectors.view_counts(tech1, [mine, team]) == {mine.pk: 3, team.pk: 4}
    assert selectors.filters_of(mine).ordering == "sla_due"  # soonest due first by default
    with pytest.raises(NotAllowed):
        services.view_delete(actor=tech2, view=team)
    with pytest.raises(InvalidInput):
        services.view_save(actor=tech1, name="Mauvais", params={"status": "nope"})
    with pytest.raises(InvalidInput):
        services.view_save(actor=tech1, name="  ", params={})
    with pytest.raises(NotAllowed):
        services.view_save(actor=contact, name="Moi", params={})
    services.view_delete(actor=manager, view=team)
    assert list(selectors.views_for(tech2)) == []


def test_a_macro_answers_in_the_clients_language_with_placeholders(tech1, manager, other_org):
    english = factories.contact(other_org, name="Sarah Connor", language="en")
    ticket = factories.ticket(contact=english, subject="Login")
    macro = services.macro_save(
        actor=manager,
        name="Reçu",
        body_fr="Bonjour {contact}, la demande {number} sera traitée par {technician} avant {due}.",
        body_en="Hello {contact}, request {number} is with {technician}, answer by {due}. {odd}",
        set_level=1,
        set_status=Status.WAITING,
        shared=True,
    )
    text = selectors.macro_text(macro, ticket, tech1)
    assert text.startswith(f"Hello Sarah Connor, request {ticket.pk} is with Théo Premier")
    assert "{due}" not in text
    assert text.endswith("{odd}")
    french = selectors.macro_text(macro, ticket, tech1, "fr")
    assert french.startswith("Bonjour Sarah Connor")
    due = timezone.localtime(ticket.first_response_due, ZoneInfo("America/Toronto"))
    assert f"answer by {moment_text(due, 'en')} (Eastern Time)." in text
    assert f"avant {moment_text(due, 'fr')} (heure de l'Est)." in french
    assert f", {due.hour} h {due.minute:02d} (heure de l'Est)." in french
    message = services.macro_apply(actor=tech1, ticket=ticket, macro=macro)
    ticket.refresh_from_db()
    assert message.kind == MessageKind.REPLY
    assert message.body == text
    assert (ticket.level, ticket.status) == (1, Status.WAITING)


def test_a_refused_macro_changes_nothing(tech1, manager, contact):
    ticket = factories.ticket(contact=contact)
    macro = services.macro_save(
        actor=tech1, name="Attente", body_fr="Un instant.", body_en="One moment.", set_status="open"
    )
    with pytest.raises(InvalidInput):  # an untriaged request cannot be "open"
        services.macro_apply(actor=tech1, ticket=ticket, macro=macro)
    assert not ticket.messages.exists()
    with pytest.raises(InvalidInput):
        services.macro_save(actor=tech1, name="x", body_fr="", body_en="y")
    assert list(selectors.macros_for(manager)) == []  # personal


def test_views_and_macros_through_the_api(api_as, tech1, manager, contact):
    ticket = factories.ticket(contact=contact, subject="Imprimante")
    api = api_as(tech1)
    response = api.post("views", {"name": "Imprimantes", "params": {"q": "imprimante"}})
    assert response.status_code == 201, response.content
    assert response.json()["count"] == 1
    assert [v["name"] for v in api.get("views").json()] == ["Imprimantes"]
    assert api.post("views", {"name": "x", "params": {"sla": "maybe"}}).status_code == 422
    view_id = response.json()["id"]
    assert api_as(manager).get("views").json() == []
    assert api_as(manager).delete(f"views/{view_id}").status_code == 404
    assert api.delete(f"views/{view_id}").status_code == 204

    response = api.post(
        "macros",
        {
            "name": "Merci",
            "body_fr": "Merci {contact}.",
            "body_en": "Thanks {contact}.",
            "set_level": 1,
        },
    )
    assert response.status_code == 201, response.content
    macro_id = response.json()["id"]
    preview = api.get(f"tickets/{ticket.pk}/macros/{macro_id}").json()
    assert preview == {"text": "Merci Marc Gagnon."}
    response = api.post(f"tickets/{ticket.pk}/macros/{macro_id}", {})
    assert response.status_code == 201, response.content
    assert response.json()["ticket"]["level"] == 1
    assert ticket.messages.get().body == "Merci Marc Gagnon."
    assert api_as(contact).get("macros").json() == []
    assert api_as(contact).post(f"tickets/{ticket.pk}/macros/{macro_id}", {}).status_code == 404
    assert api.post("macros", {"name": "x", "body_fr": "", "body_en": "y"}).status_code == 422
