"""In-app notices: written with the event that causes them, marked read by their reader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from soutien.accounts.models import User
from soutien.notifications.models import Notification

if TYPE_CHECKING:
    from soutien.ticketing.models import Ticket


def post(
    recipients: Iterable[User], kind: str, *, ticket: Ticket | None = None, **data: object
) -> int:
    """One notice per recipient; values are stored as JSON (datetimes as ISO 8601)."""
    payload = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
    rows = [Notification(recipient=r, kind=kind, ticket=ticket, data=payload) for r in recipients]
    Notification.objects.bulk_create(rows)
    return len(rows)


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
