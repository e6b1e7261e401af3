"""Every list and detail endpoint and page costs a fixed number of queries: no N+1, no query that
grows with the table. Each check loads a page, adds more rows, and loads it again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from soutien.contracts.models import Plan
from soutien.contracts.services import contract_create, subscription_create, time_entry_create
from soutien.ticketing import services
from soutien.ticketing.models import CallDirection, MessageKind, Ticket
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=EASTERN)


def _queries(fetch: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert getattr(response, "status_code", 200) == 200, getattr(response, "content", b"")[:500]
    return len(captured.captured_queries)


def _grow(manager, contact, tech1, count: int) -> list[Ticket]:
    """Requests with replies, notes, calls (hence time entries) and attachments."""
    made = []
    for n in range(count):
        ticket = factories.ticket(
            contact=contact, actor=manager, received_at=NOW - timedelta(hours=n + 1)
        )
        services.ticket_set_level(actor=manager, ticket=ticket, level=1)
        services.message_add(
            actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body=f"Réponse {n}"
        )
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.NOTE, body=f"Note {n}")
        services.message_add(
            actor=tech1,
            ticket=ticket,
            kind=MessageKind.PHONE_CALL,
            body=f"Appel {n}",
            at=NOW - timedelta(minutes=30 + n),
            call_direction=CallDirection.OUTBOUND,
            duration_minutes=5,
        )
        services.message_add(
            actor=contact, ticket=ticket, kind=MessageKind.CLIENT, body=f"Merci {n}"
        )
        made.append(ticket)
    return made


@pytest.fixture
def desk(manager, org, contact, tech1):
    with time_machine.travel(NOW, tick=False):
        contract_create(
            actor=manager,
            organization=org,
            reference="LIC-Q",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            included_minutes=6000,
        )
        subscription_create(
            actor=manager,
            organization=org,
            plan=Plan.objects.get(code="base-plus"),
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 12, 31),
        )
        _grow(manager, contact, tech1, 3)
    return {"org": org}


def _stable(fetch: Callable[[], object], grow: Callable[[], object]) -> int:
    fetch()  # warm caches (the SLA configuration snapshot, compiled templates)
    before = _queries(fetch)
    grow()
    after = _queries(fetch)
    assert after == before, f"{before} queries, then {after} with more rows"
    return before


def _api(client: Client, user) -> Callable[[str], Callable[[], object]]:
    from soutien.accounts.services import token_issue

    _, raw = token_issue(user=user)
    return lambda path: (
        lambda: client.get(f"/api/v1/{path}", headers={"Authorization": f"Bearer {raw}"})
    )


def test_api_lists_and_details_cost_a_fixed_number_of_queries(
    client, desk, manager, contact, tech1
):
    org = desk["org"]
    get = _api(client, manager)
    with time_machine.travel(NOW, tick=False):
        ticket = Ticket.objects.order_by("id").first()
        assert ticket is not None

        def more() -> None:
            _grow(manager, contact, tech1, 4)
            for _ in range(3):
                time_entry_create(
                    actor=tech1, ticket=ticket, started_at=NOW - timedelta(hours=2), minutes=10
                )

        pages = {
            "tickets?page_size=50": 5,
            "tickets?level=1&status=new,open,waiting&ordering=sla_due": 5,
            "tickets?q=réponse&ordering=sla_due": 5,
            f"tickets/{ticket.pk}": 4,
            f"tickets/{ticket.pk}/messages": 6,
            f"tickets/{ticket.pk}/attachments": 5,
            f"tickets/{ticket.pk}/time-entries": 6,
            "organizations": 4,
            f"organizations/{org.pk}/contacts": 5,
            f"organizations/{org.pk}/contracts": 5,
            f"organizations/{org.pk}/subscriptions": 5,
            f"organizations/{org.pk}/hour-banks": 5,
            "plans": 4,
        }
        fetches = {path: get(path) for path in pages}
        for fetch in fetches.values():
            fetch()
        counts_before = {path: _queries(fetch) for path, fetch in fetches.items()}
        more()
        counts_after = {path: _queries(fetch) for path, fetch in fetches.items()}
    assert counts_after == counts_before
    for path, limit in pages.items():
        assert counts_before[path] <= limit, (path, counts_before[path])


def test_console_and_portal_pages_cost_a_fixed_number_of_queries(desk, manager, contact, tech1):
    org = desk["org"]
    staff, client = Client(), Client()
    admin = factories.client_admin(org)
    with time_machine.travel(NOW, tick=False):
        staff.force_login(tech1)
        client.force_login(admin)
        ticket = Ticket.objects.order_by("id").first()
        assert ticket is not None
        pages: dict[str, tuple[Callable[[], object], int]] = {
            "queue": (lambda: staff.get("/console/?queue=1"), 10),
            "queue all": (lambda: staff.get("/console/?queue=all"), 10),
            # the request, its history, time, sessions, agreement, presence, rating, guarantees
            "detail": (lambda: staff.get(f"/console/demandes/{ticket.pk}/"), 24),
            "organization": (lambda: staff.get(f"/console/organisations/{org.pk}/"), 16),
            "organizations": (lambda: staff.get("/console/organisations/"), 10),
            "overage": (lambda: staff.get("/console/depassements/"), 10),
            "portal list": (lambda: client.get("/portail/?show=all"), 8),
            "portal search": (lambda: client.get("/portail/?show=all&q=affichage"), 8),
            "search": (lambda: staff.get("/console/recherche/?q=affichage&level=1"), 12),
            "portal detail": (lambda: client.get(f"/portail/demandes/{ticket.pk}/"), 14),
            "portal banks": (lambda: client.get("/portail/banques/"), 14),
        }
        for fetch, _limit in pages.values():
            fetch()
        before = {name: _queries(fetch) for name, (fetch, _limit) in pages.items()}
        _grow(manager, contact, tech1, 4)
        for _ in range(3):
            time_entry_create(
                actor=tech1, ticket=ticket, started_at=NOW - timedelta(hours=3), minutes=10
            )
        after = {name: _queries(fetch) for name, (fetch, _limit) in pages.items()}
    assert after == before
    for name, (_fetch, limit) in pages.items():
        assert before[name] <= limit, (name, before[name])


def test_agreement_lists_cost_a_fixed_number_of_queries(client, manager, org, contact, tech1):
    from soutien.agreements.services import MilestoneInput, agreement_create, agreement_transition

    lead = factories.staff(levels=(3,), development_lead=True)
    admin = factories.client_admin(org)

    def more(count: int) -> None:
        """Agreements in production, each with milestones, time logged and a second version."""
        for n in range(count):
            ticket = factories.ticket(contact=contact, actor=manager, subject=f"Sur mesure {n}")
            services.ticket_set_level(actor=manager, ticket=ticket, level=3)
            agreement = agreement_create(
                actor=lead, ticket=ticket, solution="Un module.", estimate_minutes=600,
                delivery_on=date(2027, 1, 15),
                milestones=[
                    MilestoneInput(title="Maquette", due_on=date(2026, 12, 1)),
                    MilestoneInput(title="Essais", due_on=date(2027, 1, 8)),
                ],
            )  # fmt: skip
            for action in ("propose", "approve", "send"):
                agreement_transition(actor=lead, agreement=agreement, action=action)
            agreement_transition(actor=admin, agreement=agreement, action="accept", version=1)
            agreement_transition(actor=lead, agreement=agreement, action="start")
            time_entry_create(actor=lead, ticket=ticket, started_at=NOW, minutes=45)

    staff, portal = Client(), Client()
    with time_machine.travel(NOW, tick=False):
        staff.force_login(tech1)
        portal.force_login(admin)
        more(2)
        get = _api(client, manager)
        pages: dict[str, tuple[Callable[[], object], int]] = {
            "console list": (lambda: staff.get("/console/ententes/"), 12),
            "portal list": (lambda: portal.get("/portail/ententes/"), 8),
            "api list": (get("agreements?page_size=50"), 10),
            "api list in production": (get("agreements?state=in_production"), 10),
        }
        for fetch, _limit in pages.values():
            fetch()
        before = {name: _queries(fetch) for name, (fetch, _limit) in pages.items()}
        more(3)
        after = {name: _queries(fetch) for name, (fetch, _limit) in pages.items()}
    assert after == before
    for name, (_fetch, limit) in pages.items():
        assert before[name] <= limit, (name, before[name])
