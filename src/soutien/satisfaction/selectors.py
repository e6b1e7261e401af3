"""Reads on satisfaction ratings."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from soutien.satisfaction.models import Guarantee, Rating
from soutien.ticketing.models import Status, Ticket

# A rating can be given, then changed, for this long after the request's resolution.
RATING_WINDOW = timedelta(days=7)


def open_follow_ups() -> QuerySet[Rating]:
    """Bad ratings no manager has followed up yet, oldest first."""
    return (
        Rating.objects.filter(value=Rating.Value.BAD, followed_up_at__isnull=True)
        .select_related("ticket", "organization", "rated_by")
        .order_by("updated_at", "id")
    )


def rating_of(ticket_id: int) -> Rating | None:
    return Rating.objects.filter(ticket_id=ticket_id).first()


def rating_open(ticket: Ticket, *, now: datetime | None = None) -> bool:
    """Whether the request can be rated (or its rating changed) now: resolved, within 7 days."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED) or ticket.resolved_at is None:
        return False
    return (now or timezone.now()) <= ticket.resolved_at + RATING_WINDOW


def guarantees_of_ticket(ticket_id: int) -> QuerySet[Guarantee]:
    return (
        Guarantee.objects.filter(ticket_id=ticket_id)
        .select_related("invoked_by", "credit__bank")
        .order_by("-invoked_at", "-id")
    )


def statement_guarantees(organization_id: int, *, limit: int = 20) -> list[Guarantee]:
    """The organization's latest guarantees invoked on a statement, with their decisions."""
    return list(
        Guarantee.objects.filter(organization_id=organization_id, ticket__isnull=True)
        .select_related("invoked_by", "credit__bank")
        .order_by("-invoked_at", "-id")[:limit]
    )


def pending_guarantees() -> QuerySet[Guarantee]:
    """Guarantees awaiting a manager's decision, the soonest due first."""
    return (
        Guarantee.objects.filter(state=Guarantee.State.PENDING)
        .select_related("organization", "ticket", "invoked_by")
        .order_by("decide_by", "id")
    )


def guarantees_invoked(start: datetime, end: datetime, *, limit: int = 500) -> list[Guarantee]:
    """Guarantees invoked in [start, end), oldest first, with what was decided and credited."""
    return list(
        Guarantee.objects.filter(invoked_at__gte=start, invoked_at__lt=end)
        .select_related("organization", "credit", "decided_by")
        .order_by("invoked_at", "id")[:limit]
    )
