"""Presence writes: one beat from a technician's open request page."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core.errors import NotAllowed
from soutien.presence.models import Presence
from soutien.ticketing.models import Ticket

# A page polls every 5 seconds: a row not refreshed for three beats is someone who left.
FRESH = timedelta(seconds=15)
# Typing is shown while the last keystroke is this recent.
TYPING = timedelta(seconds=10)
# Rows older than this are deleted by the next beat that finds some (cheap, bounded).
FORGET = timedelta(days=1)


def presence_beat(*, actor: User, ticket: Ticket, typing: bool) -> None:
    """Say `actor` has `ticket` open (and is typing on it): one UPDATE, an INSERT the first time."""
    if not actor.is_staff_member:
        raise NotAllowed(_("Only staff are shown on a request."))
    now = timezone.now()
    fields: dict[str, object] = {"seen_at": now}
    if typing:
        fields["typed_at"] = now
    if Presence.objects.filter(ticket_id=ticket.pk, user_id=actor.pk).update(**fields):
        return
    try:
        with transaction.atomic():
            Presence.objects.create(
                ticket_id=ticket.pk, user_id=actor.pk, seen_at=now, typed_at=now if typing else None
            )
    except IntegrityError:  # two tabs of the same person raced for the first beat
        Presence.objects.filter(ticket_id=ticket.pk, user_id=actor.pk).update(**fields)


def presence_leave(*, actor: User, ticket: Ticket) -> None:
    """The person sent their reply or left the page: stop showing them at once."""
    Presence.objects.filter(ticket_id=ticket.pk, user_id=actor.pk).delete()


def presence_forget_old() -> int:
    """Delete rows nobody has refreshed for a day (a periodic clean-up)."""
    deleted, _ = Presence.objects.filter(seen_at__lt=timezone.now() - FORGET).delete()
    return deleted
