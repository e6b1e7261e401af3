"""What the monthly reports remember: who chose the summary, who got which month's."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthlySummaryChoice(models.Model):
    """A client administrator who asked for its organization's monthly summary by email."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="monthly_summary"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("monthly summary subscription")
        verbose_name_plural = _("monthly summary subscriptions")

    def __str__(self) -> str:
        return str(self.user_id)


class MonthlySend(models.Model):
    """One month's report queued for one person: the row makes it once, whatever the workers."""

    month = models.DateField()  # the first day of the month reported on
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "recipient"], name="monthly_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} → {self.recipient_id}"
