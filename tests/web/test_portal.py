from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Status, Ticket
from tests import factories


@pytest.fixture
def web(contact) -> Client:
    client = Client()
    client.force_login(contact)
    return client


def test_sign_in_page_is_french_by_default_and_english_on_request(db):
    page = Client().get("/connexion/")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.content.decode()
    english = Client(headers={"Accept-Language": "en"}).get("/connexion/")
    assert '<html lang="en">' in english.content.decode()
    assert "Sign in" in english.content.decode()


def test_sign_in_rotates_the_session_and_lands_on_the_portal(contact):
    client = Client()
    anonymous_session = client.session
    anonymous_session["seen"] = True
    anonymous_session.save()
    before = client.cookies["sessionid"].value
    r = client.post("/connexion/", {"username": contact.username, "password": factories.PASSWORD})
    assert r.status_code == 302
    assert client.cookies["sessionid"].value != before
    assert client.get("/", follow=True).request["PATH_INFO"] == "/portail/"


def test_wrong_password_shows_a_form_error(contact):
    r = Client().post("/connexion/", {"username": contact.username, "password": "faux"})
    assert r.status_code == 200
    assert "errors" in r.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(db):
    r = Client().get("/portail/")
    assert r.status_code == 302
    assert r["Location"].startswith("/connexion/")


def test_client_files_a_request_with_an_attachment(web, contact):
    upload = SimpleUploadedFile("capture.png", b"\x89PNG fake", content_type="image/png")
    r = web.post(
        "/portail/demandes/nouvelle/",
        {"subject": "Affichage brisé", "body": "Voir la capture.", "attachments": [upload]},
    )
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.contact == contact
    assert ticket.channel == "web"
    assert [a.name for a in ticket.attachments.all()] == ["capture.png"]
    page = web.get(r["Location"])
    assert "Affichage brisé" in page.content.decode()
    assert "capture.png" in page.content.decode()


def test_new_request_form_errors_keep_what_was_typed(web):
    r = web.post("/portail/demandes/nouvelle/", {"subject": "", "body": "Texte conservé"})
    assert r.status_code == 200
    assert "Texte conservé" in r.content.decode()
    assert not Ticket.objects.exists()


def test_subject_and_body_are_escaped(web, contact):
    ticket = factories.ticket(
        contact=contact, subject="<script>alert(1)</script>", body="<img src=x onerror=alert(2)>"
    )
    page = web.get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_client_reply_and_resolve(web, contact, tech1):
    ticket = factories.ticket(contact=contact)
    services.message_add(
        actor=tech1, ticket=ticket, kind=MessageKind.NOTE, body="note interne invisible"
    )
    services.message_add(
        actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Réponse publique"
    )
    page = web.get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert "Réponse publique" in page
    assert "note interne invisible" not in page
    r = web.post(f"/portail/demandes/{ticket.pk}/repondre/", {"body": "Merci, ça fonctionne."})
    assert r.status_code == 302
    assert ticket.messages.filter(kind=MessageKind.CLIENT).count() == 1
    web.post(f"/portail/demandes/{ticket.pk}/resolue/")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_empty_reply_is_a_form_error(web, contact):
    ticket = factories.ticket(contact=contact)
    r = web.post(f"/portail/demandes/{ticket.pk}/repondre/", {"body": ""})
    assert r.status_code == 400
    assert not ticket.messages.exists()


def test_portal_lists_active_and_done_requests(web, contact, manager):
    active = factories.ticket(contact=contact, subject="En cours")
    done = factories.ticket(contact=contact, subject="Terminée")
    services.ticket_change_status(actor=manager, ticket=done, status=Status.RESOLVED)
    assert "En cours" in web.get("/portail/").content.decode()
    assert "Terminée" not in web.get("/portail/").content.decode()
    assert "Terminée" in web.get("/portail/?show=done").content.decode()
    assert active.pk


def test_client_is_told_who_handles_the_request(web, contact, manager, tech1):
    ticket = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=ticket, level=1)
    page = web.get(f"/portail/demandes/{ticket.pk}/").content.decode()
    assert tech1.display_name in page


def test_staff_are_sent_to_the_console(tech1):
    client = Client()
    client.force_login(tech1)
    assert client.get("/portail/")["Location"] == "/console/"


def test_language_switch_to_english(web):
    r = web.post("/langue/", {"language": "en", "next": "/portail/"})
    assert r.status_code == 302
    assert '<html lang="en">' in web.get("/portail/").content.decode()
