"""A level-3 request, the people around an agreement, and the moment it is written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.accounts.models import User
from soutien.agreements import services
from soutien.agreements.models import Agreement
from soutien.ticketing.models import Ticket
from soutien.ticketing.services import ticket_set_level
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
# Tuesday 1 December 2026, 10:00 Eastern: the day the agreement is written.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=EASTERN)
DELIVERY = date(2027, 1, 15)  # a Friday
MILESTONES = [
    {"title": "Analyse du module de synchronisation", "due_on": "2026-12-11"},
    {"title": "Correctif en préproduction", "due_on": "2027-01-08"},
]
CONTENT: dict[str, Any] = {
    "solution": "Réécrire la **synchronisation** des profils sécurisés.",
    "estimate_minutes": 1200,
    "delivery_on": DELIVERY.isoformat(),
    "milestones": MILESTONES,
    "payment": "banks",
}


@pytest.fixture(autouse=True)
def frozen():
    """Every scene of a module that takes these fixtures happens at NOW."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def tech3(db) -> User:
    return factories.staff(levels=(3,), name="Thomas Troisième")


@pytest.fixture
def lead(db) -> User:
    return factories.staff(levels=(), development_lead=True, name="Diane Développement")


@pytest.fixture
def level3(contact, manager, tech3) -> Ticket:
    ticket = factories.ticket(contact=contact, subject="Profils sécurisés désynchronisés")
    ticket_set_level(actor=manager, ticket=ticket, level=3)
    return Ticket.objects.get(pk=ticket.pk)


def milestone_inputs(items: list[dict[str, str]] = MILESTONES) -> list[services.MilestoneInput]:
    return [
        services.MilestoneInput(title=m["title"], due_on=date.fromisoformat(m["due_on"]))
        for m in items
    ]


def draft(ticket: Ticket, author: User, **overrides: Any) -> Agreement:
    values: dict[str, Any] = {
        "solution": CONTENT["solution"],
        "estimate_minutes": CONTENT["estimate_minutes"],
        "delivery_on": DELIVERY,
        "milestones": milestone_inputs(),
    }
    values.update(overrides)
    return services.agreement_create(actor=author, ticket=ticket, **values)


def walk(agreement: Agreement, *steps: tuple[User, str]) -> Agreement:
    """Take the agreement through these (who, action) steps; accept names the current version."""
    for actor, action in steps:
        agreement = Agreement.objects.get(pk=agreement.pk)
        extra: dict[str, Any] = {}
        if action == "accept":
            extra["version"] = agreement.version
        if action in ("reject", "decline", "dispute", "cancel"):
            extra["reason"] = "Parce que."
        agreement = services.agreement_transition(
            actor=actor, agreement=agreement, action=action, **extra
        )
    return Agreement.objects.get(pk=agreement.pk)


@pytest.fixture
def agreed(level3, tech3, lead, client_admin) -> Agreement:
    """An agreement accepted by the client (version 1)."""
    return walk(
        draft(level3, tech3),
        (tech3, "propose"),
        (lead, "approve"),
        (tech3, "send"),
        (client_admin, "accept"),
    )
