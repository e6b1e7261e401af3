"""The console's queues: by level, sorted, with each request's service clock."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from django.utils import timezone

from soutien.satisfaction import services as satisfaction
from soutien.satisfaction.models import Guarantee
from soutien.ticketing import services as ticketing
from soutien.ticketing.models import Status, Ticket
from tests import factories
from tests.web.helpers import RECEIVED, signed_in


def test_triage_queue_then_level_queue(console, contact, tech1):
    ticket = factories.ticket(contact=contact, subject="À trier")
    assert "À trier" in console.get("/console/?queue=triage").content.decode()
    r = console.post(f"/console/demandes/{ticket.pk}/level/", {"level": "1"})
    assert r.status_code == 302
    assert "À trier" not in console.get("/console/?queue=triage").content.decode()
    assert "À trier" in console.get("/console/?queue=1").content.decode()
    assert "À trier" in console.get("/console/?queue=mine").content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == tech1


def test_queue_is_sorted_by_due_time(console, contact):
    now = timezone.now()
    late = factories.ticket(contact=contact, subject="Plus tard")
    soon = factories.ticket(contact=contact, subject="Bientôt")
    Ticket.objects.filter(pk=late.pk).update(first_response_due=now + timedelta(hours=4))
    Ticket.objects.filter(pk=soon.pk).update(first_response_due=now + timedelta(minutes=20))
    page = console.get("/console/?queue=triage&sort=due").content.decode()
    assert page.index("Bientôt") < page.index("Plus tard")
    partial = console.get("/console/?queue=triage&sort=received", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert partial.content.decode().index("Bientôt") < partial.content.decode().index("Plus tard")


def test_unknown_queue_is_404(console):
    assert console.get("/console/?queue=nope").status_code == 404


def test_queue_shows_service_time_left_then_overdue(ticket, tech1):
    with time_machine.travel(RECEIVED + timedelta(minutes=15), tick=False):
        page = signed_in(tech1).get("/console/?queue=triage").content.decode()
    assert "0 h 45 min" in page or "45 min" in page
    assert "clock-running" in page
    with time_machine.travel(RECEIVED + timedelta(minutes=90), tick=False):
        page = signed_in(tech1).get("/console/?queue=triage").content.decode()
    assert "clock-overdue" in page
    assert "30 min" in page


def test_request_list_for_the_clock_costs_no_query_per_row(
    django_assert_max_num_queries, manager, contact, tech1
):
    with time_machine.travel(RECEIVED, tick=False):
        for _ in range(20):
            factories.ticket(contact=contact, actor=manager, received_at=RECEIVED)
    web = signed_in(tech1)
    web.get("/console/?queue=triage")
    with django_assert_max_num_queries(8):
        web.get("/console/?queue=triage")
    assert Ticket.objects.count() == 20


def test_a_manager_sees_the_requests_whose_guarantee_awaits_a_decision(
    manager, org, contact, client_admin, tech1
):
    later = factories.ticket(contact=contact, subject="Garantie plus tard", actor=manager)
    sooner = factories.ticket(contact=contact, subject="Garantie bientôt", actor=manager)
    factories.ticket(contact=contact, subject="Sans garantie", actor=manager)
    decided = factories.ticket(contact=contact, subject="Garantie décidée", actor=manager)
    # A resolved request's guarantee awaits a decision too: it is listed all the same.
    ticketing.ticket_change_status(actor=manager, ticket=later, status=Status.RESOLVED)
    first = satisfaction.guarantee_invoke(actor=client_admin, ticket=later, reason="Lent")
    second = satisfaction.guarantee_invoke(actor=client_admin, ticket=sooner, reason="Lent")
    Guarantee.objects.filter(pk=second.pk).update(decide_by=first.decide_by - timedelta(hours=2))
    done = satisfaction.guarantee_invoke(actor=client_admin, ticket=decided, reason="Lent")
    satisfaction.guarantee_decide(actor=manager, guarantee=done, grant=False, note="Non")
    satisfaction.guarantee_invoke(
        actor=client_admin,
        organization=org,
        first_day=date(2026, 11, 1),
        last_day=date(2026, 11, 30),
        reason="Relevé",
    )
    client = signed_in(manager)
    assert 'href="?queue=guarantee"' in client.get("/console/").content.decode()
    page = client.get("/console/?queue=guarantee").content.decode()
    assert "Sans garantie" not in page
    assert "Garantie décidée" not in page
    assert page.index("Garantie bientôt") < page.index("Garantie plus tard")  # soonest due first
    assert "décision attendue" in page.lower() or "decision due by" in page.lower()
    # The one invoked on a statement has no request: the queue says where to decide it.
    assert "/console/rapports/satisfaction/#guarantees" in page
    # Decided, it leaves the queue.
    satisfaction.guarantee_decide(actor=manager, guarantee=second, grant=False, note="Non")
    assert "Garantie bientôt" not in client.get("/console/?queue=guarantee").content.decode()
    # A technician does not decide guarantees: no such queue.
    assert 'href="?queue=guarantee"' not in signed_in(tech1).get("/console/").content.decode()
    assert signed_in(tech1).get("/console/?queue=guarantee").status_code == 404
