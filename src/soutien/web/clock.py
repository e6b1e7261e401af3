"""Attach service time left to requests shown on a page, with one configuration read."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from soutien.sla.engine import snapshot
from soutien.sla.services import service_time_left
from soutien.ticketing.models import Ticket


def with_clocks(tickets: Iterable[Ticket]) -> list[Ticket]:
    """Each request's service time left to its first response and time left to its resolution."""
    items = list(tickets)
    if not items:
        return items
    snap = snapshot()
    now = timezone.now()
    for ticket in items:
        ticket.clock_seconds = (  # type: ignore[attr-defined]
            service_time_left(ticket, now=now, snap=snap)
            if ticket.is_active and ticket.first_responded_at is None
            else None
        )
        # The resolution target is a promised day (an agreement's delivery date): real time.
        ticket.resolution_seconds = (  # type: ignore[attr-defined]
            int((ticket.resolution_due - now).total_seconds())
            if ticket.is_active and ticket.resolution_due is not None
            else None
        )
    return items
