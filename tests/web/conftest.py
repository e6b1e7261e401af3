"""Fixtures of the web tests: a technician in the console, a contact in the portal, two scenes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from soutien.contracts.services import time_entry_create
from soutien.ticketing.models import Ticket
from tests import factories
from tests.web.helpers import NOON, RECEIVED, signed_in


@pytest.fixture
def console(tech1) -> Client:
    return signed_in(tech1)


@pytest.fixture
def portal(contact) -> Client:
    return signed_in(contact)


@pytest.fixture
def worked(manager, org, contact, tech1) -> Ticket:
    """SPEC 4's setting: a contract and a base-plus plan, and the 12:00-13:30 entry on a Tuesday."""
    factories.spec4_banks(manager, org)
    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        ticket = factories.ticket(
            contact=contact, actor=manager, received_at=NOON, subject="Journaux"
        )
        time_entry_create(actor=tech1, ticket=ticket, started_at=NOON, minutes=90, note="Analyse")
    return ticket


@pytest.fixture
def ticket(manager, contact) -> Ticket:
    """A request received at RECEIVED, its service clock running."""
    with time_machine.travel(RECEIVED, tick=False):
        return factories.ticket(
            contact=contact, actor=manager, received_at=RECEIVED, subject="Horloge"
        )
