"""A request's history: the one way any app adds to it (who, when, what)."""

from __future__ import annotations

from soutien.accounts.models import User
from soutien.ticketing.models import Event, Ticket


def record(ticket: Ticket, actor: User | None, action: str, **data: object) -> Event:
    """Add one entry to the request's history, in the caller's transaction."""
    return Event.objects.create(ticket=ticket, actor=actor, action=action, data=data)
