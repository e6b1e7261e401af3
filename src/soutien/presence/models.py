"""Who has a request open in the console, and who is typing on it: rows that expire."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from soutien.accounts.models import User
from soutien.ticketing.models import Ticket


class Presence(models.Model):
    """One technician on one request: refreshed by the page's polling, stale after a few seconds.

    A row is never deleted on leaving (a closed tab says nothing): it simply stops being fresh.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_index=False)
    seen_at = models.DateTimeField(default=timezone.now)
    # The last moment the person typed in a reply or note; null when they never did.
    typed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_one_per_person")
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_seen_at")]

    def __str__(self) -> str:
        return f"{self.user_id} on #{self.ticket_id}"
