"""Who may be sent an issue is read from the ledger; the query and the state shown agree."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soutien.newsletter import selectors
from soutien.newsletter.models import ConsentEvent, Delivery, Issue, Subscriber, Suppression

Kind = ConsentEvent.Kind
_n = itertools.count()

STEPS = st.sampled_from(
    ["express", "awaiting", "confirm", "implied_valid", "implied_expired", "withdrawal"]
)


def _write(subscriber: Subscriber, step: str) -> None:
    now = timezone.now()
    fields: dict[str, object] = {"subscriber": subscriber, "source": "console"}
    if step == "express":
        fields.update(kind=Kind.EXPRESS)
    elif step == "awaiting":
        fields.update(kind=Kind.EXPRESS, awaiting_confirmation=True, source="public_form")
    elif step == "confirm":
        request = subscriber.events.filter(awaiting_confirmation=True).last()
        if request is None:
            return
        fields.update(kind=Kind.EXPRESS, confirms=request, source="confirmation")
    elif step.startswith("implied"):
        delta = timedelta(days=30) if step == "implied_valid" else -timedelta(days=1)
        fields.update(kind=Kind.IMPLIED, source="contract", expires_at=now + delta)
    else:
        fields.update(kind=Kind.WITHDRAWAL, source="link")
    ConsentEvent(**fields).save()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(STEPS, max_size=7), suppressed=st.booleans())
def test_the_recipient_query_and_the_state_shown_agree_on_any_ledger(db, steps, suppressed):
    subscriber = Subscriber.objects.create(email=f"reader{next(_n)}@example.org")
    for step in steps:
        _write(subscriber, step)
    if suppressed:
        Suppression.objects.create(email=subscriber.email, reason="manual")
    in_query = selectors.consenting().filter(pk=subscriber.pk).exists()
    assert in_query == selectors.state_of(subscriber).may_receive


def test_the_last_word_counts_an_express_consent_after_a_withdrawal(db):
    subscriber = Subscriber.objects.create(email="a@example.org")
    for step in ("express", "withdrawal"):
        _write(subscriber, step)
    assert not selectors.consenting().filter(pk=subscriber.pk).exists()
    _write(subscriber, "express")
    assert selectors.consenting().filter(pk=subscriber.pk).exists()


def test_an_unconfirmed_form_is_not_consent_but_its_confirmation_is(db):
    subscriber = Subscriber.objects.create(email="a@example.org")
    _write(subscriber, "awaiting")
    assert selectors.state_of(subscriber).status == "awaiting_confirmation"
    assert not selectors.consenting().filter(pk=subscriber.pk).exists()
    _write(subscriber, "confirm")
    assert selectors.consenting().filter(pk=subscriber.pk).exists()


def test_progress_counts_a_bounced_copy_as_sent_and_keeps_figures_once_forgotten(db):
    issue = Issue.objects.create(month=date(2026, 11, 1), subject_fr="x", subject_en="x")
    statuses = ["sent", "sent", "bounced", "skipped", "failed", "pending", "claimed"]
    for n, status in enumerate(statuses):
        reader = Subscriber.objects.create(email=f"r{n}@example.org")
        Delivery.objects.create(issue=issue, subscriber=reader, email=reader.email,
                                language="fr", status=status)  # fmt: skip
    progress = selectors.progress_of(issue)
    assert progress.as_dict() == {
        "recipients": 7, "sent": 3, "left": 2, "skipped": 1, "bounced": 1, "failed": 1,
    }  # fmt: skip
    issue.tally = selectors.delivery_counts(issue)
    issue.save()
    issue.deliveries.all().delete()
    assert selectors.progress_of(issue) == progress
