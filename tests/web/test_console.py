from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Status, Ticket
from tests import factories


@pytest.fixture
def console(tech1) -> Client:
    client = Client()
    client.force_login(tech1)
    return client


def test_clients_cannot_enter_the_console(contact):
    client = Client()
    client.force_login(contact)
    assert client.get("/console/")["Location"] == "/portail/"


def test_triage_queue_then_level_queue(console, contact, tech1):
    ticket = factories.ticket(contact=contact, subject="À trier")
    assert "À trier" in console.get("/console/?queue=triage").content.decode()
    r = console.post(f"/console/demandes/{ticket.pk}/level/", {"level": "1"})
    assert r.status_code == 302
    assert "À trier" not in console.get("/console/?queue=triage").content.decode()
    assert "À trier" in console.get("/console/?queue=1").content.decode()
    assert "À trier" in console.get("/console/?queue=mine").content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == tech1


def test_queue_is_sorted_by_due_time(console, contact):
    now = timezone.now()
    late = factories.ticket(contact=contact, subject="Plus tard")
    soon = factories.ticket(contact=contact, subject="Bientôt")
    Ticket.objects.filter(pk=late.pk).update(first_response_due=now + timedelta(hours=4))
    Ticket.objects.filter(pk=soon.pk).update(first_response_due=now + timedelta(minutes=20))
    page = console.get("/console/?queue=triage&sort=due").content.decode()
    assert page.index("Bientôt") < page.index("Plus tard")
    partial = console.get("/console/?queue=triage&sort=received", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert partial.content.decode().index("Bientôt") < partial.content.decode().index("Plus tard")


def test_unknown_queue_is_404(console):
    assert console.get("/console/?queue=nope").status_code == 404


def test_reply_note_and_call_from_the_console(console, contact):
    ticket = factories.ticket(contact=contact)
    base = f"/console/demandes/{ticket.pk}"
    assert console.post(f"{base}/reply/", {"body": "Bonjour!"}).status_code == 302
    assert console.post(f"{base}/note/", {"body": "Interne"}).status_code == 302
    r = console.post(
        f"{base}/call/",
        {"direction": "outbound", "duration_minutes": "15", "body": "Rappel", "caller": ""},
    )
    assert r.status_code == 302
    kinds = sorted(ticket.messages.values_list("kind", flat=True))
    assert kinds == ["note", "phone_call", "reply"]
    page = console.get(f"{base}/").content.decode()
    assert "Interne" in page
    assert "Rappel" in page


def test_invalid_call_shows_the_form_again_with_errors(console, contact):
    ticket = factories.ticket(contact=contact)
    r = console.post(
        f"/console/demandes/{ticket.pk}/call/",
        {"direction": "outbound", "duration_minutes": "0", "body": "x"},
    )
    assert r.status_code == 400
    assert "errors" in r.content.decode()
    assert not ticket.messages.exists()


def test_refused_action_is_reported_not_a_crash(console, contact):
    ticket = factories.ticket(contact=contact)
    r = console.post(f"/console/demandes/{ticket.pk}/status/", {"status": "waiting"}, follow=True)
    assert r.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def test_unknown_action_is_404(console, contact):
    ticket = factories.ticket(contact=contact)
    assert console.post(f"/console/demandes/{ticket.pk}/explode/").status_code == 404


def test_assign_and_status_from_the_console(console, contact, manager, tech2):
    ticket = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=ticket, level=2)
    base = f"/console/demandes/{ticket.pk}"
    console.post(f"{base}/assign/", {"assignee": ""})
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    console.post(f"{base}/assign_auto/")
    assert Ticket.objects.get(pk=ticket.pk).assignee == tech2
    console.post(f"{base}/status/", {"status": "resolved"})
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_staff_files_a_phone_request_with_its_call(console, contact, org):
    r = console.post(
        "/console/demandes/nouvelle/",
        {
            "organization": org.pk,
            "contact": contact.pk,
            "channel": "phone",
            "subject": "Appel : perte de données",
            "body": "Le client a perdu des brouillons.",
            "call_minutes": "10",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert ticket.channel == "phone"
    call = ticket.messages.get()
    assert call.kind == MessageKind.PHONE_CALL
    assert call.call_direction == "inbound"
    assert call.at == ticket.received_at


def test_new_request_refuses_a_contact_of_another_organization(console, org, other_org):
    stranger = factories.contact(other_org)
    r = console.post(
        "/console/demandes/nouvelle/",
        {
            "organization": org.pk,
            "contact": stranger.pk,
            "channel": "email",
            "subject": "x",
            "body": "y",
        },
    )
    assert r.status_code == 400
    assert not Ticket.objects.exists()


def test_contact_options_follow_the_organization(console, contact, org, other_org):
    factories.contact(other_org, name="Sarah Miller")
    html = console.get(f"/console/contacts/options/?organization={org.pk}").content.decode()
    assert contact.display_name in html
    assert "Sarah Miller" not in html


def test_notes_are_visible_to_staff_with_history(console, contact, tech1):
    ticket = factories.ticket(contact=contact)
    services.message_add(
        actor=tech1, ticket=ticket, kind=MessageKind.NOTE, body="Note visible au personnel"
    )
    page = console.get(f"/console/demandes/{ticket.pk}/").content.decode()
    assert "Note visible au personnel" in page
