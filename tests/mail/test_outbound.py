"""Outbound over real SMTP: stored rows, retries, every email in French and English, the
hooks in the request, SLA and hour-bank services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from soutien.accounts.privacy_officer import officer_save
from soutien.agreements.services import agreement_create
from soutien.contracts.services import contract_create, time_entry_create
from soutien.notifications import access as notify_access
from soutien.notifications import agreements as notify_agreements
from soutien.notifications import events as notify
from soutien.notifications import newsletter
from soutien.notifications import reports as notify_reports
from soutien.notifications import satisfaction as notify_satisfaction
from soutien.notifications.models import Notification
from soutien.outbound import delivery, kinds, outbox, rendering
from soutien.outbound.models import OutboundEmail
from soutien.people import services as people
from soutien.satisfaction.services import guarantee_decide, guarantee_invoke
from soutien.sla.services import send_due_alerts
from soutien.ticketing import services
from soutien.ticketing.models import Status
from soutien.training import services as training_services
from soutien.web.forms import uploads_from
from tests import factories
from tests.mail.conftest import parse_sent
from tests.mail.servers import free_port

TORONTO = ZoneInfo("America/Toronto")
RECEIVED = datetime(2026, 12, 1, 10, 15, tzinfo=TORONTO)  # a Tuesday, in service hours


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_email_renders_in_both_languages(language, marc, tech1, manager):
    for person in (marc, tech1, manager):
        person.language = language
        person.save(update_fields=["language"])
    marc.client_role = "client_admin"
    marc.save(update_fields=["client_role"])
    ticket = factories.ticket(contact=marc, subject="Menu <décalé> & « cassé »")
    services.message_add(actor=tech1, ticket=ticket, kind="reply", body="Essayez ceci.")
    for old, new in (("open", "resolved"), ("new", "open"), ("resolved", "closed")):
        notify.status_changed(ticket=ticket, actor=tech1, old=old, new=new)
    ticket.assignee = tech1
    notify.first_response_due_soon(ticket=ticket, due=RECEIVED)
    notify.first_response_overdue(ticket=ticket, due=RECEIVED)
    notify.ticket_merged(ticket=factories.ticket(contact=marc, subject="Doublon"), into=ticket)
    contract = contract_create(
        actor=manager, organization=marc.organization, reference="LIC-7",
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), included_minutes=600,
    )  # fmt: skip
    notify.hours_running_low(bank=contract.bank, threshold=10)
    engineer = factories.staff(levels=(3,), language=language)
    services.ticket_set_level(actor=manager, ticket=ticket, level=3)
    agreement = agreement_create(
        actor=engineer, ticket=ticket, solution="Un correctif.", estimate_minutes=60,
        delivery_on=timezone.localdate() + timedelta(days=30), payment="quoted",
        quoted_amount=Decimal("1500"), milestones=[],
    )  # fmt: skip
    notify_agreements.agreement_sent(agreement=agreement, version=agreement.current, document=b"")
    notify_agreements.agreement_disputed(agreement=agreement, actor=marc, reason="Pas livré.")
    trainer = factories.trainer(language=language)
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    session = training_services.session_schedule(
        actor=trainer, training=factories.training_request(contact=marc, place="remote"),
        trainer=trainer, starts_at=start, ends_at=start + timedelta(hours=3), override=True,
    )  # fmt: skip
    training_services.session_ask_another_date(actor=marc, session=session, note="Jeudi?")
    training_services.session_cancel(actor=trainer, session=session)
    # Getting in, and the person in charge of personal information at the foot of every email.
    officer_save(
        actor=None, name="Claire Dubé", title="", email="vie-privee@ebi.example",
        postal_address="Montréal",
    )  # fmt: skip
    people.invitation_send(actor=manager, user=marc)
    people.password_reset_request(email=marc.email)
    reset = OutboundEmail.objects.get(template="password_reset")
    people.password_set_with_link(
        token=str(reset.context["token"]), purpose="reset", password="Tremplin-Boréal-2026"
    )
    # The satisfaction guarantee a client administrator invoked, the managers reminded once it
    # is overdue, then decided with a credit.
    guarantee = guarantee_invoke(actor=marc, ticket=ticket, reason="Trop <long> & lent")
    notify_satisfaction.guarantee_overdue(guarantee=guarantee)
    guarantee_decide(
        actor=manager, guarantee=guarantee, grant=True, note="Nos excuses & 30 min",
        bank=contract.bank, credit_minutes=30,
    )  # fmt: skip
    notify_reports.monthly_report(
        recipient=manager, month=date(2026, 11, 1), pdf=b"%PDF-1.7", whole_desk=True
    )
    newsletter.subscription_to_confirm(
        address="who@else.example", language=language, url="https://x.example/c/1", sender="EBI"
    )
    notify.sender_refused(
        address="who@else.example", language=language, subject="Allô?", in_reply_to="q@x",
        mailbox_address="support@example.com",
    )  # fmt: skip
    rows = list(OutboundEmail.objects.order_by("id"))
    assert {r.template for r in rows} == set(kinds.registered())
    for row in rows:
        rendering.render(row)
        assert row.subject, row.template
        assert "\n" not in row.subject, row.template
        assert "&lt;" not in row.subject, row.template
        assert "&amp;" not in row.text, row.template
        assert f'<html lang="{language}">' in row.html, row.template
        assert "<script" not in row.html
        assert "vie-privee@ebi.example" in row.text, row.template
        assert row.html.index("vie-privee@ebi.example") < row.html.index("</body>")
        if row.ticket_id:
            assert f"[#{row.ticket_id}]" in row.subject or row.template == "bank_low"
            assert "<décalé>" not in row.html  # escaped in HTML
    word = {"fr": "Bonjour", "en": "Hello"}[language]
    ack = rows[0]
    assert word in ack.text
    assert ack.text.startswith(rendering.reply_marker(language))
    refusal = rows[-1]
    assert refusal.headers["In-Reply-To"] == "<q@x>"
    assert refusal.headers["Reply-To"] == "support@example.com"


def test_the_acknowledgement_gives_the_number_and_the_promised_time_in_the_clients_zone(
    sarah, smtp, django_capture_on_commit_callbacks
):
    sarah.time_zone = "America/Vancouver"
    sarah.save(update_fields=["time_zone"])
    with (
        time_machine.travel(RECEIVED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = factories.ticket(contact=sarah, subject="Search is empty")
    sent = parse_sent(smtp.messages[0].data)
    assert sent["Subject"] == f"[#{ticket.number}] Request received: Search is empty"
    text = sent.get_body(("plain",)).get_content()
    # Due 11:15 Eastern (60 service minutes) = 8:15 AM in Vancouver, the zone named in words.
    assert "by Tuesday, December 1, 2026, 8:15 AM (Pacific Time) at the latest" in text
    html = sent.get_body(("html",)).get_content()
    assert "Tuesday, December 1, 2026, 8:15 AM (Pacific Time)" in html
    assert ticket.number in text


def test_a_rolled_back_change_sends_nothing(marc, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                factories.ticket(contact=marc)
                raise RuntimeError("the caller fails after filing")
        except RuntimeError:
            pass
    assert not OutboundEmail.objects.exists()
    assert smtp.messages == []


def test_smtp_down_retries_later_then_gives_up_and_can_be_sent_again(
    marc, smtp, settings, django_capture_on_commit_callbacks
):
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    with django_capture_on_commit_callbacks(execute=True):
        factories.ticket(contact=marc)
    row = OutboundEmail.objects.get()
    assert row.status == "queued"
    assert row.attempts == 1
    assert "Connection refused" in row.last_error
    start = timezone.now()
    delays = []
    for _ in range(len(delivery.RETRY_MINUTES)):
        row.refresh_from_db()
        delays.append(round((row.next_attempt_at - start).total_seconds() / 60))
        with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
            start = timezone.now()
            assert delivery.deliver_due() == 0
    row.refresh_from_db()
    assert delays == list(delivery.RETRY_MINUTES)
    assert row.status == "failed"
    assert row.attempts == len(delivery.RETRY_MINUTES) + 1
    assert smtp.messages == []

    settings.EMAIL_PORT = good_port
    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_again(email=row)
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(smtp.messages) == 1


def test_a_refused_address_fails_at_once(marc, smtp, django_capture_on_commit_callbacks):
    smtp.refuse.add(marc.email)
    with django_capture_on_commit_callbacks(execute=True):
        factories.ticket(contact=marc)
    row = OutboundEmail.objects.get()
    assert row.status == "failed"
    assert "550" in row.last_error


def test_a_send_interrupted_by_a_dead_worker_is_sent_by_the_periodic_job(marc, smtp):
    factories.ticket(contact=marc)  # its delivery task was never run: no commit callbacks
    row = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=row.pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(minutes=20), attempts=1
    )
    assert delivery.deliver_due() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    # Rendered once, kept: a retry sends the same email under the same Message-ID.
    assert f"<{row.message_id}>" in smtp.messages[0].data.decode()


def test_a_public_reply_is_emailed_with_its_files(
    marc, tech1, smtp, django_capture_on_commit_callbacks
):
    ticket = factories.ticket(contact=marc)
    upload = SimpleUploadedFile("procédure.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add(
            actor=tech1, ticket=ticket, kind="reply", body="Voici la procédure.",
            uploads=uploads_from([upload]),
        )  # fmt: skip
    sent = parse_sent(smtp.messages[-1].data)
    files = [(part.get_filename(), part.get_content()) for part in sent.iter_attachments()]
    assert files == [("procédure.pdf", b"%PDF-1.4 test")]


def test_status_emails_for_what_staff_did_not_what_the_client_or_the_system_did(
    marc, tech1, smtp, django_capture_on_commit_callbacks
):
    ticket = factories.ticket(contact=marc)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_set_level(actor=tech1, ticket=ticket, level=1)
        services.message_add(actor=tech1, ticket=ticket, kind="reply", body="Pouvez-vous...?")
        services.ticket_change_status(actor=tech1, ticket=ticket, status=Status.WAITING)
        services.message_add(actor=marc, ticket=ticket, kind="client", body="Oui.")
        services.ticket_change_status(actor=marc, ticket=ticket, status=Status.RESOLVED)
    emails = list(OutboundEmail.objects.order_by("id").values_list("template", "context"))
    assert emails == [
        ("acknowledgement", {}),
        ("status_changed", {"old": "new", "new": "open"}),
        ("reply", {"author": tech1.display_name}),
        # "waiting" right after a reply: the reply said it. The client's answer reopened it
        # and the client resolved it: nothing to tell the client about their own doing.
    ]
    opened = OutboundEmail.objects.get(template="status_changed")
    rendering.render(opened)
    assert tech1.display_name in opened.text  # "given to Théo Premier"
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(actor=tech1, ticket=ticket, status=Status.CLOSED)
        services.tickets_close_resolved(older_than=timedelta(0))
    assert OutboundEmail.objects.filter(template="status_changed").count() == 2


def test_sla_warnings_and_breaches_are_emailed_beside_the_notice(
    marc, tech1, manager, smtp, django_capture_on_commit_callbacks
):
    tech1.language = "en"
    tech1.save(update_fields=["language"])
    with time_machine.travel(RECEIVED, tick=False):
        ticket = factories.ticket(contact=marc)
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        services.ticket_assign(actor=manager, ticket=ticket, technician=tech1)
    for minutes, expected in ((46, "sla_warning"), (61, "sla_breach")):
        with (
            time_machine.travel(RECEIVED + timedelta(minutes=minutes), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            send_due_alerts()
        assert Notification.objects.filter(kind=expected).exists()
        assert OutboundEmail.objects.filter(template=expected, recipient=tech1).exists()
    breach_to = set(
        OutboundEmail.objects.filter(template="sla_breach").values_list("to_address", flat=True)
    )
    assert breach_to == {tech1.email, manager.email}
    sent = [parse_sent(m.data) for m in smtp.messages]
    warning = next(m for m in sent if "First response due" in m["Subject"])
    assert warning["Auto-Submitted"] == "auto-generated"
    assert "11:15 AM" in warning["Subject"]


def test_low_hour_banks_are_emailed_to_the_client_administrator_and_managers(
    client_admin, manager, tech1, org
):
    client_admin.email = "julie@saint-laurent.example"
    client_admin.save(update_fields=["email"])
    contract_create(
        actor=manager, organization=org, reference="LIC-7",
        starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31), included_minutes=60,
    )  # fmt: skip
    with time_machine.travel(RECEIVED + timedelta(hours=2), tick=False):
        ticket = factories.ticket(contact=client_admin)
        time_entry_create(actor=tech1, ticket=ticket, started_at=RECEIVED, minutes=50)
    rows = OutboundEmail.objects.filter(template="bank_low")
    assert set(rows.values_list("to_address", flat=True)) == {client_admin.email, manager.email}
    row = rows.get(to_address=client_admin.email)
    rendering.render(row)
    assert "Contrat LIC-7" in row.subject
    assert "0 h 10" in row.text or "10 min" in row.text


def test_a_file_made_for_an_email_travels_with_it_on_every_attempt(
    marc, smtp, settings, django_capture_on_commit_callbacks
):
    """A document made when the email is queued (a PDF, an invitation) is kept with the row:
    a retry after a failed attempt sends the very same bytes."""
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # the first attempt fails
    ticket = factories.ticket(contact=marc)
    OutboundEmail.objects.all().delete()
    invitation = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue(
            template="acknowledgement",
            to_address=marc.email,
            language="fr",
            recipient=marc,
            ticket_id=ticket.pk,
            files=[("invitation.ics", invitation, "text/calendar")],
        )
    row = OutboundEmail.objects.get()
    assert row.status == "queued"
    settings.EMAIL_PORT = good_port
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert delivery.deliver_due() == 1
    sent = parse_sent(smtp.messages[0].data)
    [part] = list(sent.iter_attachments())
    assert part.get_filename() == "invitation.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True) == invitation


@pytest.mark.parametrize(
    ("language", "zone", "said"),
    [
        ("fr", "America/Toronto", "1er décembre 2026, 10 h 15 (heure de l'Est)"),
        ("en", "America/Halifax", "December 1, 2026, 11:15 AM (Atlantic Time)"),
    ],
)
@pytest.mark.django_db
def test_a_password_change_email_says_when_in_the_languages_one_style_and_zone(
    language, zone, said
):
    user = factories.staff(levels=(1,), name="Théo Premier")
    user.language, user.time_zone = language, zone
    user.save(update_fields=["language", "time_zone"])
    with time_machine.travel(RECEIVED, tick=False):
        row = notify_access.password_changed(user=user)
    assert row is not None
    rendering.render(row)
    assert said in row.text
    assert said.replace("'", "&#x27;") in row.html
