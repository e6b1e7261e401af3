from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from soutien.accounts.models import LoginFailure
from soutien.channels.mail.models import InboundEmail
from soutien.core import retention
from soutien.core.errors import InvalidInput, NotAllowed
from soutien.kb.models import SearchStat
from soutien.outbound.models import OutboundEmail
from soutien.privacy import services
from soutien.privacy.models import INCIDENT_KEPT_DAYS, Incident, IncidentKept, RetentionRun
from soutien.ticketing.models import Attachment, Message, Ticket
from tests.privacy import helpers

pytestmark = pytest.mark.django_db


def _rules(manager, **kinds):
    for kind, (days, action) in kinds.items():
        services.rule_set(actor=manager, kind=kind, days=days, action=action)


def _snapshot():
    return {
        "failures": sorted(LoginFailure.objects.values_list("pk", flat=True)),
        "stats": SearchStat.objects.count(),
        "sent": list(OutboundEmail.objects.values_list("pk", "to_address", "subject")),
        "raw": list(InboundEmail.objects.values_list("pk", "size", "from_address")),
        "tickets": list(Ticket.objects.values_list("pk", "contact_id", "subject", "body")),
        "messages": list(Message.objects.values_list("pk", "body", "author_id")),
        "files": Attachment.objects.count(),
    }


@pytest.fixture
def world(contact, manager):
    old = helpers.closed_ticket(contact, days=400)
    recent = helpers.closed_ticket(contact, days=10, subject="Récente")
    return {
        "old_ticket": old,
        "recent_ticket": recent,
        "old_failure": helpers.login_failure(100),
        "new_failure": helpers.login_failure(2),
        "old_stat": helpers.search_stat(400),
        "new_stat": helpers.search_stat(3, "imprimante"),
        "old_sent": helpers.sent_email(800),
        "new_sent": helpers.sent_email(5),
        "old_raw": helpers.raw_email(200, "a" * 64),
        "new_raw": helpers.raw_email(20, "b" * 64),
    }


def _all_rules(manager):
    _rules(
        manager,
        sign_in_log=(90, "delete"),
        search_log=(365, "delete"),
        sent_emails=(730, "anonymize"),
        raw_emails=(180, "anonymize"),
        attachments=(365, "delete"),
        closed_requests=(365, "anonymize"),
    )


def test_dry_run_counts_what_would_go_and_changes_nothing(world, manager):
    _all_rules(manager)
    before = _snapshot()

    run = services.retention_run(actor=manager, trigger="console", dry_run=True)

    assert _snapshot() == before
    counts = {kind: c["count"] for kind, c in run.counts.items()}
    assert counts == {
        "sign_in_log": 1,
        "search_log": 1,
        "sent_emails": 1,
        "raw_emails": 1,
        "attachments": 1,
        "closed_requests": 1,
    }
    assert run.dry_run
    assert run.finished_at is not None
    assert run.total == 6


def test_real_run_deletes_and_anonymizes_exactly_what_is_older_than_the_rule(world, manager):
    _all_rules(manager)

    run = services.retention_run(actor=manager, trigger="console", dry_run=False)

    assert not run.dry_run
    assert run.total == 6
    assert list(LoginFailure.objects.all()) == [world["new_failure"]]
    assert list(SearchStat.objects.all()) == [world["new_stat"]]
    old_sent = OutboundEmail.objects.get(pk=world["old_sent"].pk)
    assert (old_sent.to_address, old_sent.subject, old_sent.text) == ("", "", "")
    assert old_sent.message_id == world["old_sent"].message_id
    assert OutboundEmail.objects.get(pk=world["new_sent"].pk).to_address == "marc@example.com"
    old_raw = InboundEmail.objects.get(pk=world["old_raw"].pk)
    assert (bytes(old_raw.raw), old_raw.from_address, old_raw.size) == (b"", "", 0)
    assert old_raw.key == "a" * 64
    assert InboundEmail.objects.get(pk=world["new_raw"].pk).from_address == "marc@example.com"

    old = Ticket.objects.get(pk=world["old_ticket"].pk)
    assert old.anonymized_at is not None
    assert old.contact != world["old_ticket"].contact
    assert not old.contact.is_active
    assert (old.subject, old.body) == ("—", "")
    assert not old.messages.exclude(body="").exists()
    assert not old.messages.filter(author=world["old_ticket"].contact).exists()
    assert not old.attachments.exists()
    recent = Ticket.objects.get(pk=world["recent_ticket"].pk)
    assert recent.subject == "Récente"
    assert recent.contact == world["recent_ticket"].contact
    assert recent.attachments.count() == 1
    assert recent.messages.filter(body="Voici mon numéro : 514-555-0101").exists()


def test_a_second_run_finds_nothing_left_to_do(world, manager):
    _all_rules(manager)
    services.retention_run(actor=manager, trigger="console", dry_run=False)

    again = services.retention_run(actor=manager, trigger="console", dry_run=True)

    assert again.total == 0


def test_closed_requests_rule_set_to_delete_removes_them(contact, manager):
    old = helpers.closed_ticket(contact, days=400)
    _rules(manager, closed_requests=(365, "delete"))

    services.retention_run(actor=manager, trigger="console", dry_run=False)

    assert not Ticket.objects.filter(pk=old.pk).exists()


def test_without_a_rule_nothing_is_touched(world, manager):
    before = _snapshot()
    run = services.retention_run(actor=None, trigger="schedule", dry_run=False)
    assert run.counts == {}
    assert _snapshot() == before


def test_incident_younger_than_five_years_is_kept_whatever_the_rule(manager):
    young = Incident.objects.create(
        occurred_on=date(2022, 1, 10),
        discovered_on=date(2022, 1, 12),
        nature="Courriel envoyé au mauvais client",
        information="Nom, courriel",
        people="Un client",
    )
    Incident.objects.filter(pk=young.pk).update(
        recorded_at=timezone.now() - timedelta(days=4 * 365)
    )
    ancient = Incident.objects.create(
        occurred_on=date(2019, 1, 10),
        discovered_on=date(2019, 1, 12),
        nature="Vol d'un portable",
        information="Notes",
        people="Trois clients",
    )
    Incident.objects.filter(pk=ancient.pk).update(
        recorded_at=timezone.now() - timedelta(days=INCIDENT_KEPT_DAYS + 1)
    )
    with pytest.raises(InvalidInput):
        services.rule_set(actor=manager, kind="incidents", days=365, action="delete")
    _rules(manager, incidents=(INCIDENT_KEPT_DAYS, "delete"))

    run = services.retention_run(actor=manager, trigger="console", dry_run=False)

    assert run.counts["incidents"]["count"] == 1
    assert list(Incident.objects.all()) == [young]
    with pytest.raises(IncidentKept):
        young.delete()
    with pytest.raises(IncidentKept):
        Incident.objects.all().delete()


def test_only_managers_set_rules_or_run_the_job(tech1, contact):
    for person in (tech1, contact):
        with pytest.raises(NotAllowed):
            services.rule_set(actor=person, kind="sign_in_log", days=30, action="delete")
        with pytest.raises(NotAllowed):
            services.retention_run(actor=person, trigger="console", dry_run=True)


def test_a_rule_refuses_an_action_its_kind_does_not_know(manager):
    with pytest.raises(InvalidInput):
        services.rule_set(actor=manager, kind="sign_in_log", days=30, action="anonymize")
    with pytest.raises(InvalidInput):
        services.rule_set(actor=manager, kind="nothing", days=30, action="delete")


def test_every_kind_of_the_issue_has_an_owner_registered():
    kinds = {p.kind for p in retention.purgers()}
    assert {
        "raw_emails",
        "attachments",
        "closed_requests",
        "sign_in_log",
        "search_log",
        "sent_emails",
        "notices",
    } <= kinds


def test_command_dry_run_changes_nothing_and_prints_counts(world, manager, capsys):
    _all_rules(manager)
    before = _snapshot()

    call_command("privacy-retention", "--dry-run")

    assert _snapshot() == before
    out = capsys.readouterr().out
    assert "closed_requests" in out
    assert "1" in out
    assert RetentionRun.objects.get().trigger == "command"


def test_periodic_job_applies_the_rules(world, manager):
    from soutien.privacy.periodic import apply_retention

    _rules(manager, sign_in_log=(90, "delete"))
    apply_retention.enqueue()

    assert list(LoginFailure.objects.all()) == [world["new_failure"]]
    assert RetentionRun.objects.get().trigger == "schedule"


def test_a_closed_request_with_time_drawn_is_anonymized_rather_than_deleted(
    contact, manager, tech1
):
    from soutien.contracts.services import time_entry_create

    old = helpers.closed_ticket(contact, days=400)
    Ticket.objects.filter(pk=old.pk).update(status="open", closed_at=None)
    time_entry_create(
        actor=tech1, ticket=old, started_at=timezone.now() - timedelta(days=1), minutes=15
    )
    Ticket.objects.filter(pk=old.pk).update(status="closed", closed_at=helpers.days_ago(400))
    _rules(manager, closed_requests=(365, "delete"))

    run = services.retention_run(actor=manager, trigger="console", dry_run=False)

    assert run.counts["closed_requests"]["count"] == 1
    kept = Ticket.objects.get(pk=old.pk)
    assert kept.anonymized_at is not None
    assert kept.time_entries.get().minutes == 15


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_refuses_to_edit_the_access_log_or_drop_a_young_incident(contact, tech1):
    from django.db import DatabaseError, connection, transaction

    incident = Incident.objects.create(
        occurred_on=date(2026, 1, 10), discovered_on=date(2026, 1, 12), nature="n",
        information="i", people="p",
    )  # fmt: skip
    entry = services.access_record(viewer=tech1, person=contact, where="console")
    assert entry is not None
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM privacy_incident WHERE id = %s", [incident.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_accessentry SET \"where\" = 'api' WHERE id = %s", [entry.pk])
    Incident.objects.filter(pk=incident.pk).update(
        recorded_at=timezone.now() - timedelta(days=INCIDENT_KEPT_DAYS + 1)
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_incident WHERE id = %s", [incident.pk])
    assert not Incident.objects.exists()


def test_old_staff_notices_go(manager, tech1, contact):
    from soutien.notifications.models import Notification

    old = Notification.objects.create(
        recipient=tech1, kind="assigned", created_at=helpers.days_ago(200)
    )
    new = Notification.objects.create(recipient=tech1, kind="assigned")
    _rules(manager, notices=(180, "delete"))

    services.retention_run(actor=manager, trigger="console", dry_run=False)

    assert list(Notification.objects.all()) == [new]
    assert not Notification.objects.filter(pk=old.pk).exists()


def test_addresses_not_signed_in_from_for_the_period_are_forgotten(manager, contact):
    from soutien.accounts.models import KnownAddress

    stale = KnownAddress.objects.create(user=contact, address="198.51.100.4")
    KnownAddress.objects.filter(pk=stale.pk).update(last_seen=helpers.days_ago(200))
    fresh = KnownAddress.objects.create(user=contact, address="198.51.100.5")
    _rules(manager, sign_in_log=(90, "delete"))

    dry = services.retention_run(actor=manager, trigger="console", dry_run=True)
    assert dry.counts["sign_in_log"]["count"] == 1
    assert KnownAddress.objects.count() == 2
    services.retention_run(actor=manager, trigger="console", dry_run=False)

    assert list(KnownAddress.objects.all()) == [fresh]


def test_an_anonymized_request_can_no_longer_be_found_by_what_it_said(world, manager):
    from soutien.ticketing import search

    def found(word):
        return set(search.matching(Ticket.objects.all(), word, staff=True))

    assert found("NAS") == {world["old_ticket"], world["recent_ticket"]}
    _all_rules(manager)

    services.retention_run(actor=manager, trigger="console", dry_run=False)

    # The index forgets the words of the request and of its messages, and its contact's name.
    assert found("NAS") == {world["recent_ticket"]}
    assert found("0101") == {world["recent_ticket"]}
