"""Training by email: a message to the training address becomes a training request; the
invitations leave over real SMTP as iCalendar files mail programs recognize."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject

from soutien.channels.mail import intake
from soutien.channels.mail.services import mailbox_save
from soutien.core.errors import InvalidInput
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Kind
from soutien.training import services
from soutien.training.models import TrainingRequest
from tests import factories
from tests.mail.conftest import parse_sent

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TORONTO)
TRAINING = "formation@soutien.example"


def _ask_by_email() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Marc Gagnon <marc.gagnon@saint-laurent.example>"
    msg["To"] = TRAINING
    msg["Subject"] = "Formation pour nos rédacteurs"
    msg["Message-ID"] = "<formation-1@saint-laurent.example>"
    msg.set_content("Nous aimerions former six rédacteurs, idéalement la semaine du 7 décembre.")
    return msg.as_bytes()


def test_a_message_to_the_training_address_becomes_a_training_request(make_mailbox, marc, dovecot):
    box = make_mailbox(address=TRAINING, is_training=True)
    dovecot.append(box.username, _ask_by_email())
    report = intake.poll(mailbox=box)
    assert report.processed == {"imported": 1}
    training = TrainingRequest.objects.get()
    ticket = training.ticket
    assert (ticket.kind, ticket.channel, ticket.contact) == (Kind.TRAINING, "email", marc)
    assert ticket.subject == "Formation pour nos rédacteurs"
    assert training.subject == "other"
    assert "six rédacteurs" in training.subject_detail
    assert (training.place, training.attendee_count) == ("", None)
    assert OutboundEmail.objects.filter(ticket=ticket, template="acknowledgement").exists()


def test_a_fax_gateway_is_not_the_training_address(db, manager):
    with pytest.raises(InvalidInput) as caught:
        mailbox_save(
            actor=manager, name="x", address="x@soutien.example", host="imap.example", port=993,
            security="ssl", username="x", password="pw", is_fax_gateway=True, is_training=True,
        )  # fmt: skip
    assert caught.value.field == "is_training"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_invitation_leaves_over_smtp_as_a_calendar_request(
    marc, smtp, language, django_capture_on_commit_callbacks
):
    marc.language = language
    marc.save(update_fields=["language"])
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        trainer = factories.trainer("Tina Formatrice")
        training = factories.training_request(contact=marc, place="remote")
        session = services.session_schedule(
            actor=trainer, training=training, trainer=trainer,
            starts_at=datetime(2026, 11, 24, 9, 0, tzinfo=TORONTO),
            ends_at=datetime(2026, 11, 24, 12, 0, tzinfo=TORONTO),
            join_url="https://meet.example/formation",
        )  # fmt: skip
    to_marc = [
        parse_sent(m.data)
        for m in smtp.messages
        if "marc.gagnon@saint-laurent.example" in m.recipients
    ]
    (sent,) = [
        m
        for m in to_marc
        if any(p.get_content_type() == "text/calendar" for p in m.iter_attachments())
    ]
    expected_subject = {
        "fr": f"[#{training.ticket_id}] Proposition : formation « Principes de base de la "
        "gestion de contenu », mardi 24 novembre 2026, 9 h 00",
        "en": f"[#{training.ticket_id}] Proposed: training “Basics of content management”, "
        "Tuesday, November 24, 2026, 9:00 AM",
    }[language]
    # (An encoded subject comes back from the parser with the space that folded it.)
    assert sent["Subject"].strip() == expected_subject
    (part,) = [p for p in sent.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    data = (
        part.get_content().encode() if isinstance(part.get_content(), str) else part.get_content()
    )
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{session.uid}@soutien.example"
    assert str(event["URL"]) == "https://meet.example/formation"
    summary = {"fr": "Formation : ", "en": "Training: "}[language]
    assert str(event["SUMMARY"]).startswith(summary)
    assert vobject.readOne(data.decode()).vevent.dtstart.value.astimezone(ZoneInfo("UTC")) == (
        datetime(2026, 11, 24, 14, 0, tzinfo=ZoneInfo("UTC"))
    )
    text = sent.get_body(("plain",)).get_content()
    billable = {"fr": "cette formation sera facturée", "en": "this training will be billed"}
    assert billable[language] in text
    when = {
        "fr": "Date : mardi 24 novembre 2026, de 9 h 00 à 12 h 00 (heure de l'Est)",
        "en": "Date: Tuesday, November 24, 2026, 9:00 AM to 12:00 PM (Eastern Time)",
    }
    assert when[language] in text, "one date style per language, the zone in words"
