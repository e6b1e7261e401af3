"""In-app notices: written with the event that causes them, marked read by their reader."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from soutien.accounts.models import User
from soutien.notifications.models import Notification
from soutien.outbound.outbox import AUTO_GENERATED, queue

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


def email_each(
    people: Iterable[User],
    template: str,
    *,
    context: dict[str, object] | Callable[[User], dict[str, object]],
    ticket_id: int | None = None,
    files: Sequence[tuple[str, bytes, str]] = (),
) -> int:
    """The same automatic email to each person who has an address, in their language (`context`:
    the email's data, or a function of the person giving it); how many were queued."""
    sent = 0
    for person in people:
        if person.email and queue(
            template=template,
            to_address=person.email,
            language=person.language,
            recipient=person,
            ticket_id=ticket_id,
            context=context(person) if callable(context) else context,
            auto_submitted=AUTO_GENERATED,
            files=files,
        ):
            sent += 1
    return sent


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
