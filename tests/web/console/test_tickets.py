"""A request in the console: its page, its live clock, each action on it, requests filed by staff."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind, Status, Ticket
from tests import factories
from tests.web.helpers import EASTERN, RECEIVED, signed_in


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


def test_clock_counts_service_time_not_wall_time(manager, contact, tech1):
    friday = datetime(2026, 12, 4, 16, 45, tzinfo=EASTERN)
    with time_machine.travel(friday, tick=False):
        t = factories.ticket(contact=contact, actor=manager, received_at=friday)
    with time_machine.travel(datetime(2026, 12, 5, 12, 0, tzinfo=EASTERN), tick=False):
        clock = signed_in(tech1).get(f"/console/demandes/{t.pk}/horloge/").content.decode()
    # 15 minutes used on Friday; on Saturday 45 minutes of service time are still left.
    assert "45 min" in clock
    assert 'hx-trigger="every 30s"' in clock


def test_answered_request_shows_answered(ticket, tech1):
    with time_machine.travel(RECEIVED + timedelta(minutes=20), tick=False):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Bonjour")
        page = signed_in(tech1).get(f"/console/demandes/{ticket.pk}/").content.decode()
    assert "clock-answered" in page


def test_a_call_filed_as_a_new_request_keeps_its_caller_direction_start_and_duration(
    console, contact, org
):
    start = timezone.now() - timedelta(minutes=30)
    r = console.post(
        "/console/demandes/nouvelle/",
        {
            "organization": org.pk, "contact": contact.pk, "channel": "phone",
            "received_at": timezone.localtime(start).strftime("%Y-%m-%d %H:%M:%S"),
            "subject": "Rappel demandé", "body": "Nous avons rappelé le client au sujet du menu.",
            "call_minutes": "12", "call_direction": "outbound", "caller": "Réception de la Ville",
        },
    )  # fmt: skip
    assert r.status_code == 302, (
        r.status_code,
        re.findall(r'class="errors"[^>]*>(.*?)</div>', r.content.decode(), re.S),
    )
    ticket = Ticket.objects.get()
    call = ticket.messages.get()
    assert call.kind == MessageKind.PHONE_CALL
    assert (call.call_direction, call.call_duration_minutes) == ("outbound", 12)
    assert call.caller == "Réception de la Ville"
    assert call.at == ticket.received_at
    assert call.body == "Nous avons rappelé le client au sujet du menu."
    # A call to the client is a response; its duration is work on the request.
    assert ticket.first_responded_at == call.at
    assert call.time_entry.minutes == 12
