"""Who is told what about an agreement, in their own language, with the PDF where it matters."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core import mail

from soutien.agreements import services
from soutien.agreements.models import Agreement
from soutien.notifications.models import Notification
from soutien.outbound import rendering
from soutien.outbound.models import OutboundEmail
from tests.agreements.fixtures import EASTERN, draft, walk


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_agreement_email_reads_well_in_each_language(
    language, level3, tech3, lead, client_admin
):
    for person in (tech3, lead, client_admin):
        person.language = language
        person.save(update_fields=["language"])
    agreement = walk(
        draft(level3, tech3),
        (tech3, "propose"),
        (lead, "reject"),
        (tech3, "propose"),
        (lead, "approve"),
        (tech3, "send"),
        (client_admin, "decline"),
        (tech3, "propose"),
        (lead, "approve"),
        (tech3, "send"),
        (client_admin, "accept"),
        (tech3, "start"),
    )
    services.agreement_revise(actor=tech3, agreement=agreement, delivery_on=date(2027, 1, 22))
    services.alert_late_milestones(now=datetime(2026, 12, 14, 9, 0, tzinfo=EASTERN))
    agreement = walk(
        Agreement.objects.get(pk=agreement.pk),
        (tech3, "propose"),
        (lead, "approve"),
        (tech3, "send"),
        (client_admin, "accept"),
        (tech3, "deliver"),
        (client_admin, "dispute"),
        (tech3, "cancel"),
    )
    rows = list(OutboundEmail.objects.filter(template__startswith="agreement_").order_by("id"))
    events = {(row.template, row.context["event"]) for row in rows}
    assert events == {
        ("agreement_staff", "proposed"),
        ("agreement_staff", "returned"),
        ("agreement_client", "sent"),
        ("agreement_staff", "declined"),
        ("agreement_staff", "accepted"),
        ("agreement_client", "accepted"),
        ("agreement_client", "revised"),
        ("agreement_staff", "milestone_late"),
        ("agreement_client", "delivered"),
        ("agreement_staff", "disputed"),
        ("agreement_client", "cancelled"),
    }
    word = {"fr": "ntente", "en": "greement"}[language]
    for row in rows:
        rendering.render(row)
        assert row.subject.startswith(f"[#{level3.number}] "), row.subject
        assert word in row.subject, row.subject
        assert f'<html lang="{language}">' in row.html
        assert "{{" not in row.text, row.text
        assert "None" not in row.text, row.text
        if row.template == "agreement_client":
            assert row.recipient == client_admin
            assert row.text.startswith(rendering.reply_marker(language))


def test_the_agreement_is_emailed_to_the_client_admin_with_its_pdf(
    level3, tech3, lead, client_admin, django_capture_on_commit_callbacks
):
    client_admin.language = "en"
    client_admin.save(update_fields=["language"])
    agreement = walk(draft(level3, tech3), (tech3, "propose"), (lead, "approve"))
    with django_capture_on_commit_callbacks(execute=True):
        walk(agreement, (tech3, "send"))
    [sent] = [m for m in mail.outbox if client_admin.email in m.to]
    assert sent.subject == (
        f"[#{level3.number}] Development agreement no. {agreement.pk} for your acceptance"
        " (version 1)"
    )
    assert f"/portail/ententes/{agreement.pk}/" in sent.body  # where to accept it
    [(name, content, kind)] = sent.attachments
    # The email speaks the reader's language; the document, the agreement's (French here).
    assert (name, kind) == (f"entente-{agreement.pk}-v1.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


def test_the_approvers_are_asked_and_the_author_told(level3, tech3, lead, manager, tech1):
    services.delegate_name(actor=manager, user=tech1)
    agreement = walk(draft(level3, tech3), (tech3, "propose"))
    asked = set(
        Notification.objects.filter(kind="agreement_proposed").values_list("recipient", flat=True)
    )
    assert asked == {lead.pk, tech1.pk}
    walk(agreement, (tech1, "approve"))
    assert Notification.objects.filter(kind="agreement_approved", recipient=tech3).exists()
