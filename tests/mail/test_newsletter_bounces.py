"""Delivery reports through the mail intake: a hard bounce of a newsletter copy suppresses the
address (the channel calls one newsletter service); nothing else does, and no report files a
request."""

from __future__ import annotations

from datetime import date

import pytest

from soutien.channels.mail import intake
from soutien.channels.mail.models import InboundEmail
from soutien.channels.mail.parsing import parse
from soutien.newsletter import sending
from soutien.newsletter.models import Delivery, Issue, Subscriber, Suppression
from soutien.outbound.message_ids import new_message_id
from soutien.ticketing.models import Ticket
from tests.mail.conftest import SUPPORT


def dsn(*, original_id: str, action: str = "failed", status: str = "5.1.1",
        recipient: str = "gone@maple.example", quoted: str = "headers") -> bytes:  # fmt: skip
    """A Postfix-style delivery status notification about one of our messages."""
    original = (
        f"From: Groupe EBI <{SUPPORT}>\r\nTo: {recipient}\r\n"
        f"Subject: Infolettre technique\r\nMessage-ID: <{original_id}>\r\n"
    )
    if quoted == "headers":
        last = f"Content-Type: text/rfc822-headers\r\n\r\n{original}"
    else:
        last = f"Content-Type: message/rfc822\r\n\r\n{original}\r\nBonjour.\r\n"
    return (
        "Return-Path: <>\r\n"
        "From: Mail Delivery System <MAILER-DAEMON@mx.maple.example>\r\n"
        f"To: {SUPPORT}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{abs(hash(original_id + action))}@mx.maple.example>\r\n"
        "Date: Fri, 27 Nov 2026 14:15:02 -0500\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.maple.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} User unknown\r\n"
        f"--B\r\n{last}--B--\r\n"
    ).encode()


@pytest.fixture
def copy(db) -> Delivery:
    reader = Subscriber.objects.create(email="gone@maple.example")
    issue = Issue.objects.create(month=date(2026, 11, 1), subject_fr="Infolettre",
                                 subject_en="Newsletter", status=Issue.Status.SENT)  # fmt: skip
    return Delivery.objects.create(issue=issue, subscriber=reader, email=reader.email,
                                   language="fr", status=Delivery.Status.SENT)  # fmt: skip


def _poll(mailbox, dovecot, raw: bytes) -> InboundEmail:
    dovecot.append(mailbox.username, raw)
    report = intake.poll(mailbox=mailbox)
    assert report.processed == {"ignored": 1}
    return InboundEmail.objects.latest("id")


@pytest.mark.parametrize("quoted", ["headers", "message"])
def test_a_hard_bounce_of_a_newsletter_copy_suppresses_the_address(mailbox, dovecot, copy, quoted):
    email = _poll(mailbox, dovecot, dsn(original_id=sending.message_id(copy.pk), quoted=quoted))
    assert "newsletter copy bounced: gone@maple.example" in email.reason
    suppression = Suppression.objects.get(email="gone@maple.example")
    assert suppression.reason == "hard_bounce"
    assert "5.1.1" in suppression.detail
    copy.refresh_from_db()
    assert copy.status == Delivery.Status.BOUNCED
    assert not Ticket.objects.exists()


def test_a_delay_notice_suppresses_nobody(mailbox, dovecot, copy):
    raw = dsn(original_id=sending.message_id(copy.pk), action="delayed", status="4.4.1")
    _poll(mailbox, dovecot, raw)
    assert not Suppression.objects.exists()


def test_a_bounce_of_a_support_email_or_a_forged_id_suppresses_nobody(mailbox, dovecot, copy):
    _poll(mailbox, dovecot, dsn(original_id=new_message_id(12)))
    forged = sending.message_id(copy.pk).replace("@", "0@", 1)
    _poll(mailbox, dovecot, dsn(original_id=forged))
    assert not Suppression.objects.exists()
    copy.refresh_from_db()
    assert copy.status == Delivery.Status.SENT


def test_the_report_reads_each_recipients_fate_and_the_quoted_message_id():
    parsed = parse(dsn(original_id="abc@soutien.example"))
    assert parsed.report is not None
    assert parsed.report.recipients == (("gone@maple.example", "failed", "5.1.1"),)
    assert parsed.report.original_ids == ("abc@soutien.example",)
    assert parsed.report.failed_for_good
    assert (
        parse(dsn(original_id="x@y", action="delayed", status="4.4.1")).report.failed_for_good
        is False
    )
