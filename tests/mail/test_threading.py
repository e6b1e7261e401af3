"""Threading against real servers: our emails go out over SMTP, clients' answers come back
through Dovecot, and each lands in its request (and only in a request of the sender's own)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.test import Client

from soutien.channels.mail import intake
from soutien.channels.mail.models import InboundEmail
from soutien.outbound import message_ids
from soutien.outbound.models import OutboundEmail
from soutien.sla.services import counts_as_first_response
from soutien.ticketing import services
from soutien.ticketing.models import Message, MessageKind, Status, Ticket
from tests import factories
from tests.mail.conftest import SUPPORT, parse_sent

FIRST_EMAIL = b"""From: Marc Gagnon <marc.gagnon@saint-laurent.example>
To: support@soutien.example
Subject: La page d'accueil ne s'affiche plus
Date: Fri, 27 Nov 2026 09:02:03 -0500
Message-ID: <first-request@saint-laurent.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Depuis ce matin la page d'accueil est blanche.
"""


def answer_as_a_mail_client(sent: EmailMessage, *, sender: str, body: str) -> bytes:
    """What Thunderbird or Outlook sends when the client clicks "Reply": headers from ours."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = sent["Reply-To"] or sent["From"]
    reply["Subject"] = "Re: " + str(sent["Subject"])
    reply["Date"] = "Fri, 27 Nov 2026 10:30:00 -0500"
    reply["Message-ID"] = make_msgid(domain="saint-laurent.example")
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = f"{sent['References'] or ''} {sent['Message-ID']}".strip()
    if sent["Thread-Index"]:
        reply["Thread-Index"] = str(sent["Thread-Index"]) + "AAAAAQ=="
    quoted = "\n".join(f"> {line}" for line in sent.get_body(("plain",)).get_content().splitlines())
    reply.set_content(f"{body}\n\nLe 27/11/2026 à 09:13, Soutien a écrit :\n{quoted}\n")
    return reply.as_bytes()


def poll(mailbox, capture):
    with capture(execute=True):
        report = intake.poll(mailbox=mailbox)
    assert report.error == ""
    return report


def test_a_clients_answer_to_the_acknowledgement_threads_and_is_not_our_response(
    mailbox, marc, dovecot, smtp, django_capture_on_commit_callbacks
):
    """Done when 2: from an ordinary mail client, into its request; neither counts as ours."""
    dovecot.append(mailbox.username, FIRST_EMAIL)
    poll(mailbox, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    assert ticket.channel == "email"
    assert len(smtp.messages) == 1
    ack = parse_sent(smtp.messages[0].data)
    assert smtp.messages[0].recipients == ["marc.gagnon@saint-laurent.example"]
    assert f"[#{ticket.number}]" in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<first-request@saint-laurent.example>"
    assert message_ids.verify_message_id(ack["Message-ID"]) == ticket.pk
    text = ack.get_body(("plain",)).get_content()
    assert ticket.number in text
    due = ticket.first_response_due.astimezone(marc_zone(marc))
    # The promised follow-up time, in the client's zone and the French style.
    assert f"{due.hour} h {due.minute:02d} (heure de l'Est)" in text
    # The acknowledgement is not a message of the request, so it cannot be a response.
    assert not ticket.messages.exists()

    dovecot.append(
        mailbox.username,
        answer_as_a_mail_client(ack, sender="Marc Gagnon <marc.gagnon@saint-laurent.example>",
                                body="Précision : le problème touche aussi la page Contact."),
    )  # fmt: skip
    poll(mailbox, django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    message = ticket.messages.get()
    assert message.kind == MessageKind.CLIENT
    assert message.author == marc
    assert message.body == "Précision : le problème touche aussi la page Contact."
    assert not counts_as_first_response(ticket, message)
    assert ticket.first_responded_at is None
    assert Ticket.objects.count() == 1
    # No second acknowledgement for an answer: only new requests are acknowledged.
    assert len(smtp.messages) == 1


def marc_zone(user):
    from zoneinfo import ZoneInfo

    return ZoneInfo(user.time_zone)


def test_staff_reply_goes_out_threaded_and_the_clients_answer_comes_back_in(
    mailbox, marc, tech1, dovecot, smtp, django_capture_on_commit_callbacks
):
    dovecot.append(mailbox.username, FIRST_EMAIL)
    poll(mailbox, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    console = Client()
    console.force_login(tech1)
    with django_capture_on_commit_callbacks(execute=True):
        r = console.post(f"/console/demandes/{ticket.pk}/reply/", {"body": "Videz le cache SVP."})
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None  # the technician's reply is the response

    reply = parse_sent(smtp.messages[-1].data)
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert reply["Subject"] == f"[#{ticket.number}] La page d'accueil ne s'affiche plus"
    references = str(reply["References"]).split()
    ack = OutboundEmail.objects.get(template="acknowledgement")
    # The conversation: the client's first email, our acknowledgement, then this reply.
    assert references[0] == "<first-request@saint-laurent.example>"
    assert f"<{ack.message_id}>" in references
    assert str(reply["In-Reply-To"]).strip() == references[-1]
    assert reply["Thread-Index"]
    assert reply["Reply-To"] == SUPPORT
    assert "Videz le cache SVP." in reply.get_body(("plain",)).get_content()

    dovecot.append(
        mailbox.username,
        answer_as_a_mail_client(reply, sender="marc.gagnon@saint-laurent.example",
                                body="C'est réglé, merci!"),
    )  # fmt: skip
    poll(mailbox, django_capture_on_commit_callbacks)
    kinds = list(ticket.messages.order_by("id").values_list("kind", "body"))
    assert kinds == [("reply", "Videz le cache SVP."), ("client", "C'est réglé, merci!")]


def test_a_reply_to_a_resolved_request_reopens_it(
    mailbox, marc, tech1, dovecot, smtp, django_capture_on_commit_callbacks
):
    ticket = factories.ticket(contact=marc, subject="Export lent")
    services.ticket_set_level(actor=tech1, ticket=ticket, level=1)
    services.ticket_change_status(actor=tech1, ticket=ticket, status=Status.RESOLVED)
    raw = FIRST_EMAIL.replace(
        b"Subject: La page d'accueil ne s'affiche plus",
        f"Subject: Re: [#{ticket.number}] Export lent".encode(),
    ).replace(b"first-request@", b"reopen@")
    dovecot.append(mailbox.username, raw)
    poll(mailbox, django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.messages.filter(kind=MessageKind.CLIENT).count() == 1


@pytest.mark.parametrize("where", ["In-Reply-To", "subject"])
def test_nobody_threads_into_another_organizations_request(
    where, mailbox, marc, sarah, dovecot, smtp, django_capture_on_commit_callbacks
):
    """Even with our genuine, signed Message-ID (the email was forwarded to them)."""
    ticket = factories.ticket(contact=marc, subject="Données perdues")
    ack = OutboundEmail.objects.get(ticket=ticket, template="acknowledgement")
    msg = EmailMessage()
    msg["From"] = "sarah.wilson@maplehealth.example"
    msg["To"] = SUPPORT
    msg["Message-ID"] = "<leak@maplehealth.example>"
    if where == "In-Reply-To":
        msg["Subject"] = "Re: Fwd: your acknowledgement"
        msg["In-Reply-To"] = f"<{ack.message_id}>"
        msg["References"] = f"<{ack.message_id}>"
    else:
        msg["Subject"] = f"Re: [#{ticket.number}] Données perdues"
    msg.set_content("We have the same problem.")
    dovecot.append(mailbox.username, msg.as_bytes())
    poll(mailbox, django_capture_on_commit_callbacks)
    assert not Message.objects.filter(ticket=ticket).exists()
    theirs = Ticket.objects.exclude(pk=ticket.pk).get()
    assert theirs.organization == sarah.organization
    assert InboundEmail.objects.get(message_id="leak@maplehealth.example").ticket == theirs


def test_a_forged_signature_is_not_ours():
    genuine = message_ids.new_message_id(42)
    assert message_ids.verify_message_id(genuine) == 42
    forged = genuine.replace("soutien.42.", "soutien.43.")
    assert message_ids.verify_message_id(forged) is None
    tampered = genuine[:-30] + ("0" if genuine[-30] != "0" else "1") + genuine[-29:]
    assert message_ids.verify_message_id(tampered) is None
    assert message_ids.verify_message_id("<CAF8kW2g9Q@mail.gmail.com>") is None
