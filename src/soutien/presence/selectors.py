"""Presence reads: who else is on a request, who is on each request of a queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from soutien.accounts.models import User
from soutien.presence.models import Presence
from soutien.presence.services import FRESH, TYPING


@dataclass(frozen=True)
class Someone:
    """A person on a request: their name, and whether they are typing now."""

    user_id: int
    name: str
    typing: bool


def _someone(row: Presence, now: object) -> Someone:
    typing = row.typed_at is not None and row.typed_at >= now - TYPING  # type: ignore[operator]
    return Someone(user_id=row.user_id, name=row.user.display_name, typing=typing)


def others_on(*, ticket_id: int, viewer: User) -> list[Someone]:
    """The other staff who have this request open now, typists first."""
    now = timezone.now()
    rows = (
        Presence.objects.filter(ticket_id=ticket_id, seen_at__gte=now - FRESH)
        .exclude(user_id=viewer.pk)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    people = [_someone(row, now) for row in rows]
    return sorted(people, key=lambda p: not p.typing)


def on_tickets(*, ticket_ids: Iterable[int], viewer: User) -> dict[int, list[Someone]]:
    """For a page of a queue: who (other than the viewer) has each request open now. One query."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    now = timezone.now()
    rows = (
        Presence.objects.filter(ticket_id__in=ids, seen_at__gte=now - FRESH)
        .exclude(user_id=viewer.pk)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    found: dict[int, list[Someone]] = {}
    for row in rows:
        found.setdefault(row.ticket_id, []).append(_someone(row, now))
    return found
