"""Who else has a request open, and who is typing on it: fresh for a few seconds, then gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from soutien.core.errors import NotAllowed
from soutien.presence import selectors, services
from soutien.presence.models import Presence
from tests import factories


def test_a_colleague_viewing_then_typing_is_shown_to_the_other_but_not_to_himself(tech1, contact):
    tech2 = factories.staff(levels=(1,), name="Tina Deux")
    ticket = factories.ticket(contact=contact)
    services.presence_beat(actor=tech1, ticket=ticket, typing=False)
    services.presence_beat(actor=tech2, ticket=ticket, typing=False)
    assert selectors.others_on(ticket_id=ticket.pk, viewer=tech1) == [
        selectors.Someone(user_id=tech2.pk, name="Tina Deux", typing=False)
    ]
    services.presence_beat(actor=tech2, ticket=ticket, typing=True)
    (tina,) = selectors.others_on(ticket_id=ticket.pk, viewer=tech1)
    assert tina.typing
    assert [p.name for p in selectors.others_on(ticket_id=ticket.pk, viewer=tech2)] == [
        tech1.display_name
    ]
    assert Presence.objects.count() == 2, "one row per person and request, refreshed in place"


def test_presence_expires_typing_first_then_viewing(tech1, tech2, contact):
    ticket = factories.ticket(contact=contact)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.presence_beat(actor=tech2, ticket=ticket, typing=True)
    with time_machine.travel(start + timedelta(seconds=11), tick=False):
        (someone,) = selectors.others_on(ticket_id=ticket.pk, viewer=tech1)
        assert not someone.typing, "no keystroke for 10 seconds: viewing, no longer typing"
    with time_machine.travel(start + timedelta(seconds=16), tick=False):
        assert selectors.others_on(ticket_id=ticket.pk, viewer=tech1) == []


def test_a_beat_is_one_update_once_the_row_exists(tech1, contact):
    ticket = factories.ticket(contact=contact)
    services.presence_beat(actor=tech1, ticket=ticket, typing=False)
    with CaptureQueriesContext(connection) as queries:
        services.presence_beat(actor=tech1, ticket=ticket, typing=True)
    assert len(queries) == 1


def test_the_queue_learns_who_is_on_each_request_in_one_query(tech1, tech2, contact):
    first, second, third = (factories.ticket(contact=contact) for _ in range(3))
    services.presence_beat(actor=tech2, ticket=first, typing=False)
    services.presence_beat(actor=tech2, ticket=third, typing=True)
    services.presence_beat(actor=tech1, ticket=second, typing=False)
    with CaptureQueriesContext(connection) as queries:
        on = selectors.on_tickets(ticket_ids=[first.pk, second.pk, third.pk], viewer=tech1)
    assert len(queries) == 1
    assert set(on) == {first.pk, third.pk}
    assert on[third.pk][0].typing


def test_clients_are_never_shown_on_a_request(contact):
    ticket = factories.ticket(contact=contact)
    with pytest.raises(NotAllowed):
        services.presence_beat(actor=contact, ticket=ticket, typing=False)


def test_rows_not_refreshed_for_a_day_are_forgotten(tech1, contact):
    ticket = factories.ticket(contact=contact)
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        services.presence_beat(actor=tech1, ticket=ticket, typing=False)
    assert services.presence_forget_old() == 1
    assert not Presence.objects.exists()
