"""Sending an issue over real SMTP: who gets it, what each copy carries, and never twice."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from soutien.contracts.services import contract_create
from soutien.newsletter import issues, selectors, sending, services, tokens
from soutien.newsletter.issues import SectionText
from soutien.newsletter.models import Delivery, Issue, Suppression
from tests.mail.conftest import parse_sent
from tests.newsletter.fixtures import POSTAL, REACH, SENDER, subscribed

SITE = "https://soutien.example"
ARTICLE = "https://soutien.example/aide/articles/erreur-0x80070005/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _issue(manager, **changes) -> Issue:
    values = {
        "actor": manager,
        "month": date(2026, 11, 1),
        "subject_fr": "Infolettre technique — novembre 2026",
        "subject_en": "Technical newsletter — November 2026",
        "intro_fr": "Bonjour! Voici les nouvelles du mois.",
        "intro_en": "Hello! Here is the month's news.",
        "sections": [
            SectionText(
                "knowledge_base",
                "Base de connaissances",
                "Knowledge base",
                f"- [Erreur 0x80070005]({ARTICLE})",
                f"- [Error 0x80070005]({ARTICLE})",
            ),
            SectionText(
                "problems",
                "Problèmes résolus",
                "Problems solved",
                "**Synchronisation** corrigée.",
                "**Synchronization** fixed.",
            ),
        ],
    }
    values.update(changes)
    return issues.issue_create(**values)


def _start(manager, issue: Issue) -> Issue:
    issues.issue_send(actor=manager, issue=issue)
    issue.refresh_from_db()
    return issue


def _send_all(issue: Issue) -> None:
    while sending.send_batch(issue_id=issue.pk).claimed:
        pass


def _by_recipient(smtp) -> dict[str, list]:
    found: dict[str, list] = {}
    for captured in smtp.messages:
        for address in captured.recipients:
            found.setdefault(address, []).append(parse_sent(captured.data))
    return found


def test_every_copy_identifies_the_sender_and_carries_both_unsubscribe_headers_and_a_link(
    smtp, manager, tech1, sender
):
    readers = {
        "lise@ville.example": "fr",
        "sarah@maple.example": "en",
    }
    subscribers = {e: subscribed(e, staff=tech1, language=lang) for e, lang in readers.items()}
    issue = _start(manager, _issue(manager))
    _send_all(issue)

    got = _by_recipient(smtp)
    assert sorted(got) == sorted(readers)
    for address, [message] in got.items():
        language = readers[address]
        subscriber = subscribers[address]
        one_click = str(message["List-Unsubscribe"]).strip()
        token = one_click.removeprefix(f"<{SITE}/newsletter/unsubscribe/").removesuffix(">")
        assert tokens.reader_from(token) == subscriber.pk
        assert one_click == f"<{SITE}/newsletter/unsubscribe/{token}>"
        assert message["From"].addresses[0].display_name == SENDER
        assert message["From"].addresses[0].addr_spec == "infolettre@ebi.example"
        assert message["To"] == address
        assert message["Subject"] == issue.subject(language)
        assert message["Content-Language"] == language
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Precedence"] == "bulk"
        assert sending.message_id(Delivery.objects.get(email=address).pk) in message["Message-ID"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for body in (text, html):
            assert SENDER in body
            assert "Montréal (Québec) H3G 1A1" in body
            assert REACH in body
            assert f"{SITE}/infolettre/desabonnement/{token}/" in body
            assert f"{SITE}/infolettre/preferences/{token}/" in body
            assert address in body
            # Links are plain: the article's own address, nothing added to it.
            assert ARTICLE in body
        assert POSTAL.splitlines()[0] in text
        assert ("Base de connaissances" if language == "fr" else "Knowledge base") in html
        # No tracking pixel: no image at all in this issue, and no link through us.
        assert "<img" not in html
        assert re.findall(r'href="([^"]+)"', html) == [
            ARTICLE, f"{SITE}/infolettre/2026-11/", f"{SITE}/infolettre/desabonnement/{token}/",
            f"{SITE}/infolettre/preferences/{token}/",
        ]  # fmt: skip
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert selectors.progress_of(issue).as_dict() == {
        "recipients": 2, "sent": 2, "left": 0, "skipped": 0, "bounced": 0, "failed": 0,
    }  # fmt: skip


def test_nobody_without_current_consent_gets_a_copy(smtp, manager, tech1, sender, org, contact):
    yes = subscribed("yes@example.org", staff=tech1)
    services.subscribe(actor=None, email="unconfirmed@example.org", source="public_form")
    gone = subscribed("gone@example.org", staff=tech1)
    services.unsubscribe(subscriber=gone, source="link")
    subscribed("bounced@example.org", staff=tech1)
    Suppression.objects.create(email="bounced@example.org", reason="hard_bounce")
    contract_create(actor=manager, organization=org, reference="OLD",
                    starts_on=date(2022, 1, 1), ends_on=date(2024, 1, 1))  # fmt: skip
    with time_machine.travel(datetime(2025, 6, 1, 12, tzinfo=timezone.get_current_timezone())):
        services.subscribe(actor=manager, email=contact.email, kind="implied", source="contract")
    issue = _start(manager, _issue(manager))
    assert list(issue.deliveries.values_list("subscriber", flat=True)) == [yes.pk]
    _send_all(issue)
    assert list(_by_recipient(smtp)) == ["yes@example.org"]


def test_unsubscribing_between_two_batches_means_no_copy(smtp, manager, tech1, sender):
    readers = [subscribed(f"r{n}@example.org", staff=tech1) for n in range(4)]
    issue = _start(manager, _issue(manager))
    first = sending.send_batch(issue_id=issue.pk, size=2)
    assert first.sent == 2
    services.unsubscribe(subscriber=readers[3], source="one_click")
    second = sending.send_batch(issue_id=issue.pk, size=2)
    assert (second.sent, second.skipped) == (1, 0)
    assert sorted(_by_recipient(smtp)) == ["r0@example.org", "r1@example.org", "r2@example.org"]
    assert Delivery.objects.get(subscriber=readers[3]).status == Delivery.Status.SKIPPED
    assert selectors.progress_of(issue).skipped == 1


def test_unsubscribing_while_a_batch_holds_the_copy_still_stops_it(smtp, manager, tech1, sender):
    """The batch was claimed before the unsubscribe: the check just before sending catches it."""
    readers = [subscribed(f"r{n}@example.org", staff=tech1) for n in range(3)]
    issue = _start(manager, _issue(manager))
    token = "batch-of-a-slow-sender"
    rows = sending._claim(issue.pk, 10, token)
    report = sending.BatchReport()
    kept = sending._with_consent(rows, token, report)
    services.unsubscribe(subscriber=readers[1], source="link")  # after the batch's own check
    sending._deliver(issue, kept, token, selectors.settings_row(), report)
    assert sorted(_by_recipient(smtp)) == ["r0@example.org", "r2@example.org"]
    assert Delivery.objects.get(subscriber=readers[1]).status == Delivery.Status.SKIPPED


def test_implied_consent_that_ran_out_after_sending_started_is_not_sent(
    smtp, manager, tech1, sender, org, contact
):
    zone = timezone.get_current_timezone()
    contract_create(actor=manager, organization=org, reference="LIC",
                    starts_on=date(2024, 1, 1), ends_on=date(2024, 11, 30))  # fmt: skip
    with time_machine.travel(datetime(2026, 11, 29, 23, 50, tzinfo=zone)):
        subscribed("express@example.org", staff=tech1)
        services.subscribe(actor=manager, email=contact.email, kind="implied", source="contract")
        issue = _start(manager, _issue(manager))
        assert issue.deliveries.count() == 2
    # Implied consent ends when 2026-11-30 starts (two years after the contract ended).
    with time_machine.travel(datetime(2026, 11, 30, 0, 10, tzinfo=zone)):
        _send_all(issue)
    assert list(_by_recipient(smtp)) == ["express@example.org"]
    assert Delivery.objects.get(email=contact.email.lower()).status == Delivery.Status.SKIPPED


def test_a_copy_taken_back_from_a_slow_sender_is_sent_once(smtp, manager, tech1, sender, settings):
    for n in range(3):
        subscribed(f"r{n}@example.org", staff=tech1)
    issue = _start(manager, _issue(manager))
    slow = "slow-sender"
    rows = sending._with_consent(sending._claim(issue.pk, 10, slow), slow, sending.BatchReport())
    # Its claim grows old: another sender takes the batch back and sends it.
    Delivery.objects.filter(claimed_by=slow).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.SOUTIEN_NEWSLETTER_CLAIM_SECONDS + 1)
    )
    _send_all(issue)
    assert len(smtp.messages) == 3
    # The slow sender wakes up and goes through its batch: every gate refuses it.
    report = sending.BatchReport()
    sending._deliver(issue, rows, slow, selectors.settings_row(), report)
    assert report.sent == 0
    assert len(smtp.messages) == 3
    assert set(issue.deliveries.values_list("status", flat=True)) == {"sent"}


def test_an_unknown_recipient_fails_and_is_suppressed(smtp, manager, tech1, sender):
    subscribed("ok@example.org", staff=tech1)
    subscribed("nobody@example.org", staff=tech1)
    smtp.refuse.add("nobody@example.org")
    issue = _start(manager, _issue(manager))
    _send_all(issue)
    assert list(_by_recipient(smtp)) == ["ok@example.org"]
    assert Delivery.objects.get(email="nobody@example.org").status == Delivery.Status.FAILED
    assert Suppression.objects.filter(email="nobody@example.org", reason="hard_bounce").exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_temporary_refusal_is_tried_again_then_given_up(smtp, manager, tech1, sender):
    subscribed("busy@example.org", staff=tech1)
    smtp.defer.add("busy@example.org")
    issue = _start(manager, _issue(manager))
    for _ in range(sending.MAX_TRIES):
        sending.send_batch(issue_id=issue.pk)
    copy = Delivery.objects.get(email="busy@example.org")
    assert (copy.status, copy.attempts) == (Delivery.Status.FAILED, sending.MAX_TRIES)
    assert "451" in copy.note
    assert not Suppression.objects.exists()


def test_a_mail_server_that_is_down_holds_sending_and_loses_nothing(
    manager, tech1, sender, smtp, settings
):
    subscribed("a@example.org", staff=tech1)
    issue = _start(manager, _issue(manager))
    settings.EMAIL_PORT = 1  # nothing listens there
    report = sending.send_batch(issue_id=issue.pk)
    assert report.problem
    issue.refresh_from_db()
    assert issue.problem
    assert issue.status == Issue.Status.SENDING
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    settings.EMAIL_PORT = smtp.port
    _send_all(issue)
    assert list(_by_recipient(smtp)) == ["a@example.org"]
    issue.refresh_from_db()
    assert (issue.status, issue.problem) == (Issue.Status.SENT, "")


def test_each_reader_gets_the_sections_of_their_topics_only(smtp, manager, tech1, sender):
    subscribed("all@example.org", staff=tech1)
    subscribed("problems@example.org", staff=tech1, topics=["problems"])
    subscribed("news@example.org", staff=tech1, topics=["news"])  # nothing for them this month
    issue = _start(manager, _issue(manager))
    _send_all(issue)
    got = _by_recipient(smtp)
    assert sorted(got) == ["all@example.org", "problems@example.org"]
    full = got["all@example.org"][0].get_body(("plain",)).get_content()
    partial = got["problems@example.org"][0].get_body(("plain",)).get_content()
    assert "Base de connaissances" in full
    assert "Problèmes résolus" in full
    assert "Base de connaissances" not in partial
    assert "Problèmes résolus" in partial


def test_a_test_copy_goes_to_the_manager_in_both_languages(
    smtp, manager, sender, django_capture_on_commit_callbacks
):
    issue = _issue(manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert issues.issue_test_send(actor=manager, issue=issue) == manager.email
    got = _by_recipient(smtp)[manager.email]
    assert [m["Subject"] for m in got] == [
        "[TEST] Infolettre technique — novembre 2026",
        "[TEST] Technical newsletter — November 2026",
    ]
    assert not Delivery.objects.exists()
