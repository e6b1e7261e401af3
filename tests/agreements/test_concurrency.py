"""Two people or two workers at once (PostgreSQL: real connections, real row locks)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from soutien.agreements import services
from soutien.agreements.models import Agreement, MilestoneAlert, State
from soutien.core.errors import Conflict
from soutien.notifications.models import Notification
from soutien.ticketing.models import Event
from soutien.ticketing.services import ticket_set_level
from tests import factories
from tests.agreements.fixtures import EASTERN, draft, walk
from tests.databases import at_once

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_accept_racing_a_new_version_never_accepts_a_stale_one(
    contact, manager, tech3, lead, client_admin
):
    outcomes: Counter[str] = Counter()
    for attempt in range(20):
        ticket = factories.ticket(contact=contact, subject=f"Course {attempt}")
        ticket_set_level(actor=manager, ticket=ticket, level=3)
        sent = walk(draft(ticket, tech3), (tech3, "propose"), (lead, "approve"), (tech3, "send"))
        accepted, revised = at_once(
            lambda sent=sent: services.agreement_transition(
                actor=client_admin, agreement=sent, action="accept", version=1
            ),
            lambda sent=sent, attempt=attempt: services.agreement_revise(
                actor=tech3, agreement=sent, estimate_minutes=1300 + attempt
            ),
        )
        assert isinstance(revised, Agreement), revised
        agreement = Agreement.objects.select_related("current", "accepted").get(pk=sent.pk)
        first = agreement.versions.get(number=1)
        steps = list(
            Event.objects.filter(ticket=ticket, action=Event.Action.AGREEMENT)
            .order_by("id")
            .values_list("data__step", flat=True)
        )
        if isinstance(accepted, Conflict):
            # The new version came first: version 1 was no longer the one to accept.
            assert accepted.details["current_version"] == 2
            assert first.accepted_at is None
            assert agreement.accepted is None
            assert steps[-1] == "revise"
            outcomes["new version first"] += 1
        else:
            assert isinstance(accepted, Agreement), accepted
            # Accepted while current; the change after it needs a new approval and acceptance.
            assert steps[-2:] == ["accept", "revise"]
            assert agreement.accepted == first
            outcomes["accepted first"] += 1
        assert agreement.state == State.DRAFT
        assert agreement.current.number == 2
        assert agreement.versions.filter(accepted_at__isnull=False).exclude(number=1).count() == 0
    assert sum(outcomes.values()) == 20, outcomes


def test_two_workers_alert_each_late_milestone_once(contact, manager, tech3, lead, client_admin):
    late = 0
    for n in range(6):
        ticket = factories.ticket(contact=contact, subject=f"Retard {n}")
        ticket_set_level(actor=manager, ticket=ticket, level=3)
        walk(
            draft(ticket, tech3),
            (tech3, "propose"),
            (lead, "approve"),
            (tech3, "send"),
            (client_admin, "accept"),
            (tech3, "start"),
        )
        late += 1  # the first milestone (11 December) is late on the 14th
    now = datetime(2026, 12, 14, 9, 0, tzinfo=EASTERN)
    results = at_once(
        lambda: services.alert_late_milestones(now=now),
        lambda: services.alert_late_milestones(now=now),
    )
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == late  # type: ignore[arg-type]
    assert MilestoneAlert.objects.count() == late
    # The technician and the development lead, once each per milestone.
    assert Notification.objects.filter(kind="milestone_late").count() == 2 * late
