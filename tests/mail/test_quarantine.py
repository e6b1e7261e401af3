"""Quarantine: what cannot be handled is set aside with its reason, never blocks the messages
after it, and comes back with the console's "retry" once fixed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from soutien.channels.mail import ingest, intake
from soutien.channels.mail.models import InboundEmail, ServerCopy
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Ticket
from tests.mail.test_intake import email

CORPUS = Path(__file__).parent / "corpus"


def test_bad_messages_are_set_aside_and_the_good_ones_after_them_imported(mailbox, marc, dovecot):
    bad = [
        (CORPUS / "24-mime-bomb.eml").read_bytes(),
        (CORPUS / "36-not-an-email.eml").read_bytes(),
    ]
    for raw in [*bad, email(1), email(2)]:
        dovecot.append(mailbox.username, raw)
    report = intake.poll(mailbox=mailbox)
    assert report.error == ""
    assert report.processed == {"quarantined": 2, "imported": 2}
    assert Ticket.objects.count() == 2
    reasons = sorted(
        InboundEmail.objects.filter(status="quarantined").values_list("reason", flat=True)
    )
    assert "nested too deeply" in reasons[0]
    assert "not an email" in reasons[1]
    # Set aside on our side, with the raw bytes: the server is done with all four.
    assert ServerCopy.objects.filter(server_done_at__isnull=True).count() == 0


def test_an_unexpected_error_quarantines_one_email_with_its_reason(
    mailbox, marc, dovecot, monkeypatch
):
    real = ingest.ticket_create

    def flaky(**kwargs):
        if kwargs["subject"] == "Demande 1":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(ingest, "ticket_create", flaky)
    dovecot.append(mailbox.username, email(1))
    dovecot.append(mailbox.username, email(2))
    intake.poll(mailbox=mailbox)
    failed = InboundEmail.objects.get(subject="Demande 1")
    assert failed.status == "quarantined"
    assert failed.reason == "RuntimeError: disk full"
    assert Ticket.objects.get().subject == "Demande 2"


def test_retry_from_the_console_once_the_cause_is_fixed(
    mailbox, marc, tech1, dovecot, django_capture_on_commit_callbacks
):
    marc.is_active = False
    marc.save(update_fields=["is_active"])
    dovecot.append(mailbox.username, email(1))
    intake.poll(mailbox=mailbox)
    stored = InboundEmail.objects.get()
    assert stored.status == "quarantined"
    assert "deactivated" in stored.reason

    console = Client(headers={"Accept-Language": "en"})  # the assertions read English
    console.force_login(tech1)
    page = console.get(f"/console/courriel/boites/{mailbox.pk}/").content.decode()
    assert "deactivated" in page
    assert f"/console/courriel/recus/{stored.pk}/reessayer/" in page

    marc.is_active = True
    marc.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        r = console.post(f"/console/courriel/recus/{stored.pk}/reessayer/")
    assert r.status_code == 302
    stored.refresh_from_db()
    assert stored.status == "imported"
    assert Ticket.objects.get().contact == marc
    # Retrying what is not in quarantine is refused, not repeated.
    r = console.post(f"/console/courriel/recus/{stored.pk}/reessayer/", follow=True)
    assert "Only an email in quarantine" in r.content.decode()


def test_an_email_whose_processing_keeps_killing_the_process_is_set_aside(mailbox, marc, dovecot):
    dovecot.append(mailbox.username, email(1))
    intake.poll(mailbox=mailbox, process=False)
    stored = InboundEmail.objects.get()
    # Three earlier attempts started and never finished (the process died each time).
    InboundEmail.objects.filter(pk=stored.pk).update(attempts=ingest.MAX_ATTEMPTS)
    assert ingest.process(email_id=stored.pk) == "quarantined"
    stored.refresh_from_db()
    assert "stopped abruptly" in stored.reason
    assert not Ticket.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_on_the_same_email_file_one_request(marc):
    """Two workers processing one email at once (a retried task beside a poll): one request."""
    stored = InboundEmail.objects.create(
        key="k", message_id="intake-1@saint-laurent.example", raw=email(1), size=100,
        arrived_at=timezone.now(), from_address=marc.email,
    )  # fmt: skip
    start = threading.Barrier(2)
    outcomes = []

    def work() -> None:
        try:
            start.wait()
            outcomes.append(ingest.process(email_id=stored.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["imported", "imported"]
    assert Ticket.objects.count() == 1
    assert OutboundEmail.objects.filter(template="acknowledgement").count() == 1
