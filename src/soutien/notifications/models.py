"""In-app notices for staff: SLA warnings and breaches, assignments, hour banks running low,
training requests and sessions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        SLA_WARNING = "sla_warning", _("First response due soon")
        SLA_BREACH = "sla_breach", _("First response overdue")
        BANK_LOW = "bank_low", _("Hour bank running low")
        ASSIGNED = "assigned", _("Request assigned to you")
        TRAINING_REQUESTED = "training_requested", _("Training requested")
        SESSION_BOOKED = "session_booked", _("Session booked for you")
        SESSION_CONFIRMED = "session_confirmed", _("Session confirmed by the client")
        SESSION_CHANGE = "session_change", _("Another date asked for")
        SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
        AGREEMENT_PROPOSED = "agreement_proposed", _("Development agreement to approve")
        AGREEMENT_APPROVED = "agreement_approved", _("Development agreement approved")
        AGREEMENT_RETURNED = "agreement_returned", _("Development agreement sent back to you")
        AGREEMENT_ACCEPTED = "agreement_accepted", _("Development agreement accepted by the client")
        AGREEMENT_DECLINED = "agreement_declined", _("Development agreement declined by the client")
        AGREEMENT_CONFIRMED = "agreement_confirmed", _("Delivery confirmed")
        AGREEMENT_DISPUTED = "agreement_disputed", _("Delivery disputed by the client")
        AGREEMENT_CANCELLED = "agreement_cancelled", _("Development agreement cancelled")
        MILESTONE_LATE = "milestone_late", _("Milestone late")
        NEWSLETTER_SENT = "newsletter_sent", _("Newsletter issue sent")
        SATISFACTION_BAD = "satisfaction_bad", _("Client not satisfied: follow up")
        GUARANTEE_INVOKED = "guarantee_invoked", _("Satisfaction guarantee invoked: decide")
        GUARANTEE_DECIDED = "guarantee_decided", _("Satisfaction guarantee decided")
        GUARANTEE_OVERDUE = "guarantee_overdue", _("Satisfaction guarantee: decision overdue")

    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
