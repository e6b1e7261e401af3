"""What counts as the first response (SPEC 3): a public reply or a logged call by staff."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from tests import factories

from soutien.ticketing import services
from soutien.ticketing.models import CallDirection, Channel, MessageKind, Ticket

EASTERN = ZoneInfo("America/Toronto")
RECEIVED = datetime(2026, 12, 1, 10, 15, tzinfo=EASTERN)


@pytest.fixture
def ticket(manager, contact):
    with time_machine.travel(RECEIVED, tick=False):
        return factories.ticket(
            contact=contact, actor=manager, received_at=RECEIVED, channel=Channel.PHONE
        )


def _at(minutes: int) -> datetime:
    return RECEIVED + timedelta(minutes=minutes)


def _responded(ticket: Ticket) -> datetime | None:
    return Ticket.objects.get(pk=ticket.pk).first_responded_at


def test_public_reply_counts(ticket, tech1):
    with time_machine.travel(_at(20), tick=False):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Bonjour")
    assert _responded(ticket) == _at(20)


def test_reply_by_phone_counts_as_first_response(ticket, tech1):
    with time_machine.travel(_at(50), tick=False):
        services.message_add(
            actor=tech1,
            ticket=ticket,
            kind=MessageKind.PHONE_CALL,
            body="Rappel",
            at=_at(30),
            call_direction=CallDirection.OUTBOUND,
            duration_minutes=10,
        )
    assert _responded(ticket) == _at(30)


def test_internal_note_does_not_count(ticket, tech1):
    with time_machine.travel(_at(5), tick=False):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.NOTE, body="À voir")
    assert _responded(ticket) is None


def test_client_message_does_not_count(ticket, contact):
    with time_machine.travel(_at(5), tick=False):
        services.message_add(actor=contact, ticket=ticket, kind=MessageKind.CLIENT, body="Alors?")
    assert _responded(ticket) is None


def test_the_call_that_brought_the_request_in_is_not_a_response(ticket, tech1):
    with time_machine.travel(_at(10), tick=False):
        services.message_add(
            actor=tech1,
            ticket=ticket,
            kind=MessageKind.PHONE_CALL,
            body="Appel entrant",
            at=RECEIVED,
            call_direction=CallDirection.INBOUND,
            duration_minutes=8,
        )
    assert _responded(ticket) is None


def test_a_later_call_from_the_client_answered_by_staff_counts(ticket, tech1):
    with time_machine.travel(_at(40), tick=False):
        services.message_add(
            actor=tech1,
            ticket=ticket,
            kind=MessageKind.PHONE_CALL,
            body="Le client rappelle",
            at=_at(35),
            call_direction=CallDirection.INBOUND,
            duration_minutes=4,
        )
    assert _responded(ticket) == _at(35)


def test_an_earlier_call_logged_late_becomes_the_first_response(ticket, tech1):
    with time_machine.travel(_at(90), tick=False):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Suivi écrit")
        services.message_add(
            actor=tech1,
            ticket=ticket,
            kind=MessageKind.PHONE_CALL,
            body="Appel oublié",
            at=_at(25),
            call_direction=CallDirection.OUTBOUND,
            duration_minutes=5,
        )
    assert _responded(ticket) == _at(25)


def test_breach_shows_in_the_api(api_as, ticket, tech1, manager):
    with time_machine.travel(_at(75), tick=False):
        services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="En retard")
        sla = api_as(manager).get(f"tickets/{ticket.pk}").json()["sla"]
    assert sla["breached"] is True
    assert datetime.fromisoformat(sla["first_responded_at"]) == _at(75)


def test_unanswered_request_is_breached_once_its_due_time_passes(api_as, ticket, manager):
    with time_machine.travel(_at(59), tick=False):
        assert api_as(manager).get(f"tickets/{ticket.pk}").json()["sla"]["breached"] is False
    with time_machine.travel(_at(61), tick=False):
        assert api_as(manager).get(f"tickets/{ticket.pk}").json()["sla"]["breached"] is True
