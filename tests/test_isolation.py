"""A client never sees another organization's data: every foreign id answers 404, API and web."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from soutien.ticketing import services
from soutien.ticketing.models import Attachment, MessageKind, Ticket
from soutien.ticketing.services import Upload
from tests import factories


@pytest.fixture
def foreign(db, other_org, tech1):
    """Organization B's request with a reply, a note, a client message and files on each."""
    b_contact = factories.contact(other_org, name="Sarah Miller")
    ticket = factories.ticket(
        contact=b_contact, subject="Secret de B", body="Données confidentielles de B"
    )

    def upload(name: str) -> Upload:
        return Upload(name=name, content=io.BytesIO(b"B only"), size=6)

    services.attachment_add(actor=b_contact, ticket=ticket, upload=upload("b-ticket.txt"))
    reply = services.message_add(
        actor=tech1,
        ticket=ticket,
        kind=MessageKind.REPLY,
        body="Réponse à B",
        uploads=[upload("b-reply.txt")],
    )
    note = services.message_add(
        actor=tech1,
        ticket=ticket,
        kind=MessageKind.NOTE,
        body="Note sur B",
        uploads=[upload("b-note.txt")],
    )
    client_msg = services.message_add(
        actor=b_contact,
        ticket=ticket,
        kind=MessageKind.CLIENT,
        body="B écrit",
        uploads=[upload("b-client.txt")],
    )
    return {
        "org": other_org,
        "contact": b_contact,
        "ticket": ticket,
        "messages": [reply, note, client_msg],
        "attachments": list(Attachment.objects.filter(ticket=ticket)),
    }


@pytest.fixture(params=["contact", "client_admin"])
def outsider(request, org):
    """A client of organization A, with each client role."""
    if request.param == "contact":
        return factories.contact(org)
    return factories.client_admin(org)


def _assert_404(response) -> None:
    assert response.status_code == 404, (response.status_code, response.content[:200])
    assert b"B only" not in response.content
    assert b"Secret de B" not in response.content


def test_api_answers_404_for_every_id_of_another_organization(api_as, outsider, foreign):
    api = api_as(outsider)
    t = foreign["ticket"].pk
    o = foreign["org"].pk
    _assert_404(api.get(f"tickets/{t}"))
    _assert_404(api.patch(f"tickets/{t}", {"status": "resolved"}))
    _assert_404(api.get(f"tickets/{t}/messages"))
    _assert_404(api.post(f"tickets/{t}/messages", {"body": "intrusion"}))
    _assert_404(api.get(f"tickets/{t}/attachments"))
    for attachment in foreign["attachments"]:
        _assert_404(api.get(f"attachments/{attachment.pk}"))
    _assert_404(api.get(f"organizations/{o}"))
    _assert_404(api.get(f"organizations/{o}/contacts"))
    _assert_404(
        api.post(f"organizations/{o}/contacts", {"email": "evil@a.example", "name": "Evil"})
    )
    _assert_404(api.post("tickets", {"organization": o, "subject": "dans B"}))
    _assert_404(api.post("tickets", {"contact": foreign["contact"].pk, "subject": "au nom de B"}))
    upload = io.BytesIO(b"x")
    upload.name = "x.txt"
    r = api.client.post(f"/api/v1/tickets/{t}/attachments", {"file": upload}, headers=api.headers)
    _assert_404(r)


def test_api_lists_never_show_another_organization(api_as, outsider, foreign, org):
    own = factories.ticket(contact=outsider)
    api = api_as(outsider)
    ids = [t["id"] for t in api.get("tickets").json()["items"]]
    assert ids == [own.pk]
    assert [
        t["id"] for t in api.get(f"tickets?organization={foreign['org'].pk}").json()["items"]
    ] == []
    assert [o["id"] for o in api.get("organizations").json()["items"]] == [org.pk]
    assert Ticket.objects.get(pk=foreign["ticket"].pk).messages.count() == 3


def test_web_answers_404_for_every_id_of_another_organization(outsider, foreign):
    web = Client()
    web.force_login(outsider)
    t = foreign["ticket"].pk
    _assert_404(web.get(f"/portail/demandes/{t}/"))
    _assert_404(web.post(f"/portail/demandes/{t}/repondre/", {"body": "intrusion"}))
    _assert_404(web.post(f"/portail/demandes/{t}/resolue/"))
    for attachment in foreign["attachments"]:
        _assert_404(web.get(f"/fichiers/{attachment.pk}/"))
    listing = web.get("/portail/?show=all")
    assert listing.status_code == 200
    assert "Secret de B" not in listing.content.decode()
    assert Ticket.objects.get(pk=t).status == "new"


def test_a_contact_does_not_see_a_colleagues_request_but_its_administrator_does(api_as, org):
    author = factories.contact(org)
    colleague = factories.contact(org)
    administrator = factories.client_admin(org)
    ticket = factories.ticket(contact=author, subject="Demande de l'auteur")
    assert api_as(colleague).get(f"tickets/{ticket.pk}").status_code == 404
    assert api_as(administrator).get(f"tickets/{ticket.pk}").status_code == 200
    web = Client()
    web.force_login(colleague)
    assert web.get(f"/portail/demandes/{ticket.pk}/").status_code == 404


def test_client_of_the_same_organization_cannot_fetch_files_of_internal_notes(api_as, foreign):
    own_side = foreign["contact"]
    api = api_as(own_side)
    note_files = [a for a in foreign["attachments"] if a.name == "b-note.txt"]
    assert note_files
    _assert_404(api.get(f"attachments/{note_files[0].pk}"))
    visible = {a["name"] for a in api.get(f"tickets/{foreign['ticket'].pk}/attachments").json()}
    assert visible == {"b-ticket.txt", "b-reply.txt", "b-client.txt"}
