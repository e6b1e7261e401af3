"""Done-when 3: the monthly reports go out on the first business day, once per month and person,
with two workers (frozen clock), their PDF attached; a client administrator opts in."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.core.scheduling import enqueue_due_jobs
from soutien.outbound import rendering
from soutien.outbound.models import OutboundEmail
from soutien.reports.models import MonthlySend, MonthlySummaryChoice
from soutien.reports.monthly import first_business_moment, send_monthly_reports
from soutien.reports.tasks import send_monthly_reports as monthly_task
from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories
from tests.databases import at_once
from tests.web.helpers import signed_in

EASTERN = ZoneInfo("America/Toronto")
# 1 January 2027 is a Friday and a holiday: the first business moment is Monday the 4th, 08:00.
FIRST_OPENING = datetime(2027, 1, 4, 8, 0, tzinfo=EASTERN)


def test_the_first_business_moment_skips_the_new_year_and_the_weekend(db):
    assert first_business_moment(FIRST_OPENING.date().replace(day=1)) == FIRST_OPENING


def test_once_per_month_and_person_whatever_the_workers(manager, client_admin, contact, tech1):
    received = datetime(2026, 12, 8, 10, 0, tzinfo=EASTERN)
    with time_machine.travel(received, tick=False):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=received)
    with time_machine.travel(received + timedelta(minutes=30), tick=False):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Oui")
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=EASTERN), tick=False):
        assert signed_in(client_admin).post("/portail/chiffres/sommaire/", {"wanted": "1"})
    moments = [
        datetime(2027, 1, 1, 9, 0, tzinfo=EASTERN),  # a holiday: nothing yet
        FIRST_OPENING - timedelta(minutes=1),  # nothing yet
        FIRST_OPENING,  # worker A
        FIRST_OPENING,  # worker B, the same moment
        FIRST_OPENING + timedelta(hours=3),  # a later hour
        datetime(2027, 1, 20, 9, 0, tzinfo=EASTERN),  # later in the month
    ]
    sent = []
    for at in moments:
        with time_machine.travel(at, tick=False):
            sent.append(send_monthly_reports())
    assert sent == [0, 0, 2, 0, 0, 0]
    emails = OutboundEmail.objects.filter(template="monthly_report")
    assert {e.recipient_id for e in emails} == {manager.pk, client_admin.pk}
    assert emails.count() == 2
    for email in emails:
        [pdf] = email.files.all()
        assert pdf.content_type == "application/pdf"
        assert bytes(pdf.data).startswith(b"%PDF")
        assert pdf.name == "rapport-2026-12.pdf"
        rendering.render(email)
        assert email.subject == "Rapport mensuel du soutien : décembre 2026"
    # February: again, once.
    with time_machine.travel(datetime(2027, 2, 1, 9, 0, tzinfo=EASTERN), tick=False):
        assert send_monthly_reports() == 2
        assert send_monthly_reports() == 0


def test_two_workers_enqueue_the_hourly_check_once(db):
    with time_machine.travel(FIRST_OPENING, tick=False):
        first = enqueue_due_jobs(worker_id="a")
        second = enqueue_due_jobs(worker_id="b")
    assert monthly_task.module_path in first
    assert monthly_task.module_path not in second


def test_a_client_admin_can_stop_the_summary(client_admin, manager):
    client = signed_in(client_admin)
    client.post("/portail/chiffres/sommaire/", {"wanted": "1"})
    client.post("/portail/chiffres/sommaire/", {"wanted": "0"})
    with time_machine.travel(FIRST_OPENING, tick=False):
        assert send_monthly_reports() == 1  # the manager only


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_the_same_moment_send_each_report_once(manager, client_admin):
    MonthlySummaryChoice.objects.create(user=client_admin)
    for _attempt in range(3):
        with time_machine.travel(FIRST_OPENING, tick=False):
            sent = at_once(send_monthly_reports, send_monthly_reports)
        assert all(isinstance(n, int) for n in sent), sent
        emails = OutboundEmail.objects.filter(template="monthly_report")
        assert sorted(emails.values_list("recipient_id", flat=True)) == sorted(
            [manager.pk, client_admin.pk]
        )
        assert sum(n for n in sent if isinstance(n, int)) == 2
        # Next attempt: a fresh month's claims, the same race again.
        MonthlySend.objects.all().delete()
        emails.delete()
