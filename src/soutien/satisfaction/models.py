"""The client's rating of a resolved request (and, later, the satisfaction guarantee)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rating(models.Model):
    """One rating per request, good or bad, changeable for a while after the resolution."""

    class Value(models.TextChoices):
        GOOD = "good", _("Good")
        BAD = "bad", _("Bad")

    class Via(models.TextChoices):
        EMAIL = "email", _("Email link")
        PORTAL = "portal", _("Portal")
        API = "api", _("API")

    ticket = models.OneToOneField(
        "ticketing.Ticket", on_delete=models.CASCADE, related_name="rating"
    )
    # Kept apart from the request's row: the organization is what reports group and narrow by.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    rated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    value = models.CharField(_("rating"), max_length=4, choices=Value.choices)
    comment = models.TextField(_("what went wrong"), blank=True)
    via = models.CharField(max_length=6, choices=Via.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # A bad rating opens a follow-up for a support manager; closed when one has called back.
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    follow_up_note = models.TextField(_("follow-up note"), blank=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        indexes = [
            models.Index(fields=["organization", "updated_at"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__in=["good", "bad"]), name="rating_value_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} #{self.ticket_id}"


class Guarantee(models.Model):
    """The satisfaction guarantee a client administrator invokes, and a manager's decision."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    # Invoked from a request, or from a statement (its period).
    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_day = models.DateField(_("statement from"), null=True, blank=True)
    last_day = models.DateField(_("statement to"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    invoked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    invoked_at = models.DateTimeField(default=timezone.now)
    # A manager decides within the first-response time of a level-2 request.
    decide_by = models.DateTimeField(_("decision due"))
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    credit = models.OneToOneField(
        "contracts.Credit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the managers were told that the decision is overdue (once).
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invoked_at", "-id"]
        verbose_name = _("satisfaction guarantee")
        verbose_name_plural = _("satisfaction guarantees")
        indexes = [models.Index(fields=["state", "decide_by"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ticket__isnull=False)
                | models.Q(first_day__isnull=False, last_day__isnull=False),
                name="guarantee_from_a_request_or_a_statement",
            )
        ]

    def __str__(self) -> str:
        return f"guarantee {self.pk} ({self.state})"

    @property
    def is_overdue(self) -> bool:
        """Still awaiting a decision past its due time (a level-2 first response's)."""
        return self.state == self.State.PENDING and timezone.now() > self.decide_by
