"""Loops and noise: automatic mail never opens a request nor gets an answer; answers are
rate-limited per address; our automatic emails say they are automatic."""

from __future__ import annotations

from email.message import EmailMessage

from soutien.channels.mail import intake
from soutien.channels.mail.models import InboundEmail, Mailbox
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Ticket
from tests import factories
from tests.mail.conftest import SUPPORT, parse_sent


def mail(sender: str, n: int, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = f"Message {n}"
    msg["Message-ID"] = f"<loop-{n}-{sender}>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Bonjour")
    return msg.as_bytes()


def poll(mailbox, capture):
    with capture(execute=True):
        return intake.poll(mailbox=mailbox)


def test_our_acknowledgement_delivered_back_to_us_creates_nothing_and_answers_nothing(
    mailbox, marc, dovecot, smtp, django_capture_on_commit_callbacks
):
    """A client's forwarding rule sends our email back to the support address, as is."""
    dovecot.append(mailbox.username, mail(marc.email, 1))
    poll(mailbox, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1
    dovecot.append(mailbox.username, smtp.messages[0].data)
    poll(mailbox, django_capture_on_commit_callbacks)
    back = InboundEmail.objects.order_by("-id").first()
    assert back.status == InboundEmail.Status.IGNORED
    assert Ticket.objects.count() == 1
    assert len(smtp.messages) == 1


def test_an_auto_responder_that_ignores_every_header_is_rate_limited(
    make_mailbox, dovecot, smtp, django_capture_on_commit_callbacks, settings
):
    """A robot that answers everything, with none of the usual headers: the loop stops."""
    settings.SOUTIEN_MAIL_AUTO_REPLIES_PER_HOUR = 3
    mailbox = make_mailbox(unknown_sender=Mailbox.UnknownSender.REFUSE)
    for n in range(6):
        dovecot.append(mailbox.username, mail("robot@robots.example", n))
        poll(mailbox, django_capture_on_commit_callbacks)
    statuses = list(OutboundEmail.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["sent"] * 3 + ["suppressed"] * 3
    assert len(smtp.messages) == 3
    assert not Ticket.objects.exists()
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {"refused"}


def test_a_polite_refusal_for_unknown_senders_when_the_mailbox_says_so(
    make_mailbox, dovecot, smtp, django_capture_on_commit_callbacks
):
    mailbox = make_mailbox(unknown_sender=Mailbox.UnknownSender.REFUSE, language="en")
    dovecot.append(mailbox.username, mail("stranger@elsewhere.example", 1))
    poll(mailbox, django_capture_on_commit_callbacks)
    refusal = parse_sent(smtp.messages[0].data)
    assert smtp.messages[0].recipients == ["stranger@elsewhere.example"]
    assert refusal["Auto-Submitted"] == "auto-replied"
    assert refusal["X-Auto-Response-Suppress"] == "All"
    assert refusal["In-Reply-To"] == "<loop-1-stranger@elsewhere.example>"
    assert "was not recorded" in refusal["Subject"]
    assert not Ticket.objects.exists()


def test_unknown_senders_become_contacts_to_identify_by_default(
    mailbox, dovecot, smtp, django_capture_on_commit_callbacks
):
    dovecot.append(mailbox.username, mail("Nouvelle Personne <nouvelle@ailleurs.example>", 1))
    poll(mailbox, django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    assert ticket.organization.name == "À identifier"
    assert ticket.contact.email == "nouvelle@ailleurs.example"
    assert ticket.contact.full_name == "Nouvelle Personne"
    assert not ticket.contact.has_usable_password()
    # The acknowledgement still goes out: the person wrote to us.
    assert smtp.messages[0].recipients == ["nouvelle@ailleurs.example"]


def test_automatic_mail_is_never_answered(
    mailbox, marc, dovecot, smtp, django_capture_on_commit_callbacks
):
    noisy = [
        {"Auto_Submitted": "auto-replied"},
        {"Auto_Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"Return_Path": "<>"},
        {"X_Autoreply": "yes"},
        {"List_Id": "<cms.lists.example>"},
    ]
    for n, headers in enumerate(noisy):
        dovecot.append(mailbox.username, mail(marc.email, n, **headers))
    dovecot.append(mailbox.username, mail("MAILER-DAEMON@mx.example", 99))
    dovecot.append(mailbox.username, mail(SUPPORT, 98))
    poll(mailbox, django_capture_on_commit_callbacks)
    assert InboundEmail.objects.count() == len(noisy) + 2
    assert set(InboundEmail.objects.values_list("status", flat=True)) == {"ignored"}
    assert not Ticket.objects.exists()
    assert smtp.messages == []


def test_our_automatic_emails_say_so_and_human_replies_do_not(
    marc, tech1, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = factories.ticket(contact=marc)
    from soutien.ticketing import services

    with django_capture_on_commit_callbacks(execute=True):
        services.message_add(actor=tech1, ticket=ticket, kind="reply", body="Bonjour")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_set_level(actor=tech1, ticket=ticket, level=1)
    kinds = {}
    for captured in smtp.messages:
        msg = parse_sent(captured.data)
        kinds[str(msg["Message-ID"]).strip()] = (
            msg["Auto-Submitted"],
            msg["X-Auto-Response-Suppress"],
        )
    ack, reply, status = (
        f"<{OutboundEmail.objects.get(template=t).message_id}>"
        for t in ("acknowledgement", "reply", "status_changed")
    )
    assert kinds[ack] == ("auto-replied", "All")
    assert kinds[reply] == (None, None)
    assert kinds[status] == ("auto-generated", "All")
