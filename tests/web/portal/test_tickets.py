"""A client's requests in the portal: filing, following, answering, resolving."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Status, Ticket
from tests import factories
from tests.web.helpers import RECEIVED, signed_in


def test_client_files_a_request_with_an_attachment(portal, contact):
    upload = SimpleUploadedFile("capture.png", b"\x89PNG fake", content_type="image/png")
    r = portal.post(
        "/portail/demandes/nouvelle/",
        {"subject": "Affichage brisé", "body": "Voir la capture.", "attachments": [upload]},
    )
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.contact == contact
    assert ticket.channel == "web"
    assert [a.name for a in ticket.attachments.all()] == ["capture.png"]
    page = portal.get(r["Location"])
    assert "Affichage brisé" in page.content.decode()
    assert "capture.png" in page.content.decode()


def test_new_request_form_errors_keep_what_was_typed(portal):
    r = portal.post("/portail/demandes/nouvelle/", {"subject": "", "body": "Texte conservé"})
    assert r.status_code == 200
    assert "Texte conservé" in r.content.decode()
    assert not Ticket.objects.exists()


def test_subject_and_body_are_escaped(portal, contact):
    ticket = factories.ticket(
        contact=contact, subject="<script>alert(1)</script>", body="<img src=x onerror=alert(2)>"
    )
    page = portal.get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_client_reply_and_resolve(portal, contact, tech1):
    ticket = factories.ticket(contact=contact)
    services.message_add(
        actor=tech1, ticket=ticket, kind=MessageKind.NOTE, body="note interne invisible"
    )
    services.message_add(
        actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Réponse publique"
    )
    page = portal.get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert "Réponse publique" in page
    assert "note interne invisible" not in page
    r = portal.post(f"/portail/demandes/{ticket.pk}/repondre/", {"body": "Merci, ça fonctionne."})
    assert r.status_code == 302
    assert ticket.messages.filter(kind=MessageKind.CLIENT).count() == 1
    portal.post(f"/portail/demandes/{ticket.pk}/resolue/")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_empty_reply_is_a_form_error(portal, contact):
    ticket = factories.ticket(contact=contact)
    r = portal.post(f"/portail/demandes/{ticket.pk}/repondre/", {"body": ""})
    assert r.status_code == 400
    assert not ticket.messages.exists()


def test_portal_lists_active_and_done_requests(portal, contact, manager):
    active = factories.ticket(contact=contact, subject="En cours")
    done = factories.ticket(contact=contact, subject="Terminée")
    services.ticket_change_status(actor=manager, ticket=done, status=Status.RESOLVED)
    assert "En cours" in portal.get("/portail/").content.decode()
    assert "Terminée" not in portal.get("/portail/").content.decode()
    assert "Terminée" in portal.get("/portail/?show=done").content.decode()
    assert active.pk


def test_client_is_told_who_handles_the_request(portal, contact, manager, tech1):
    ticket = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=ticket, level=1)
    page = portal.get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert tech1.display_name in page


def test_portal_tells_the_client_when_it_will_hear_from_us(ticket, contact):
    with time_machine.travel(RECEIVED + timedelta(minutes=5), tick=False):
        page = signed_in(contact).get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert "Vous aurez de nos nouvelles au plus tard" in page
    assert "11:15" in page
