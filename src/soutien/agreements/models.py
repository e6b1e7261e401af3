"""Level-3 development agreements: versions of the content, milestones, approvals, acceptances.

The content of an agreement (solution, estimate, milestones, delivery date, payment, language)
lives in its versions: every change makes a new one, and the approval, the sending and the
client's acceptance each name the version they were given. Milestone rows carry what changes
during production (done, alerted) across versions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed to the development lead")
    APPROVED = "approved", _("Approved by the development lead")
    SENT = "sent", _("Sent to the client")
    ACCEPTED = "accepted", _("Accepted by the client")
    IN_PRODUCTION = "in_production", _("In production")
    DELIVERED = "delivered", _("Delivered, awaiting confirmation")
    CONFIRMED = "confirmed", _("Delivered and confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class Action(models.TextChoices):
    PROPOSE = "propose", _("Propose to the development lead")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Send back to the author")
    SEND = "send", _("Send to the client")
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    START = "start", _("Start production")
    DELIVER = "deliver", _("Deliver")
    CONFIRM = "confirm", _("Confirm the delivery")
    DISPUTE = "dispute", _("Dispute the delivery")
    CANCEL = "cancel", _("Cancel")


# From each state, the actions allowed and the state each leads to. `accept` of a revision made
# while production was under way goes straight back to production (see services).
TRANSITIONS: dict[str, dict[str, str]] = {
    State.DRAFT: {Action.PROPOSE: State.PROPOSED, Action.CANCEL: State.CANCELLED},
    State.PROPOSED: {
        Action.APPROVE: State.APPROVED,
        Action.REJECT: State.DRAFT,
        Action.CANCEL: State.CANCELLED,
    },
    State.APPROVED: {Action.SEND: State.SENT, Action.CANCEL: State.CANCELLED},
    State.SENT: {
        Action.ACCEPT: State.ACCEPTED,
        Action.DECLINE: State.DRAFT,
        Action.CANCEL: State.CANCELLED,
    },
    State.ACCEPTED: {Action.START: State.IN_PRODUCTION, Action.CANCEL: State.CANCELLED},
    State.IN_PRODUCTION: {Action.DELIVER: State.DELIVERED, Action.CANCEL: State.CANCELLED},
    State.DELIVERED: {Action.CONFIRM: State.CONFIRMED, Action.DISPUTE: State.IN_PRODUCTION},
    State.CONFIRMED: {},
    State.CANCELLED: {},
}
# Content can change in these states (a change after approval needs a new approval).
EDITABLE = (
    State.DRAFT,
    State.PROPOSED,
    State.APPROVED,
    State.SENT,
    State.ACCEPTED,
    State.IN_PRODUCTION,
)
# States in which the agreement is a promise to the client (its milestones can be late).
COMMITTED = (State.ACCEPTED, State.IN_PRODUCTION)
FINISHED = (State.DELIVERED, State.CONFIRMED, State.CANCELLED)


class Payment(models.TextChoices):
    BANKS = "banks", _("Drawn from the client's hour banks")
    QUOTED = "quoted", _("Quoted")


class Agreement(models.Model):
    """A development agreement on a level-3 request, and where it stands."""

    ticket = models.ForeignKey(
        "ticketing.Ticket",
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    # The request's organization, kept here so lists filter without a join.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    # The version being written or reviewed now; `sent`: the last one the client was sent;
    # `accepted`: the last one the client accepted (its delivery date is the promise).
    current = models.ForeignKey(
        "AgreementVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent = models.ForeignKey(
        "AgreementVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted = models.ForeignKey(
        "AgreementVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    started_at = models.DateTimeField(_("production started at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # Taken as delivered at this moment unless the client confirms or disputes first.
    confirmation_due = models.DateTimeField(_("confirmation due"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Null with `confirmed_at` set: taken as delivered when the confirmation was due.
    confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("development agreement")
        verbose_name_plural = _("development agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=~Q(state="cancelled"),
                name="agreement_one_live_per_ticket",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["state", "-created_at"]),
            models.Index(
                fields=["confirmation_due"],
                condition=Q(state="delivered"),
                name="agreement_confirmation_due",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_state_display()})"

    @property
    def number(self) -> str:
        return str(self.pk)

    @property
    def version(self) -> int:
        return self.current.number if self.current is not None else 0

    @property
    def allowed_actions(self) -> list[str]:
        return list(TRANSITIONS[self.state])

    @property
    def in_revision(self) -> bool:
        """A version newer than the accepted one is being agreed."""
        return self.accepted_id is not None and self.current_id != self.accepted_id


class AgreementVersion(models.Model):
    """One version of an agreement's content, with who approved, sent and accepted it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    solution = models.TextField(_("proposed solution"))
    estimate_minutes = models.PositiveIntegerField(_("estimate (minutes)"))
    delivery_on = models.DateField(_("delivery date"))
    # [{"id": milestone id, "title": ..., "due_on": "2027-01-15", "description": ...}, ...]
    milestones = models.JSONField(_("milestones"), default=list)
    payment = models.CharField(_("payment"), max_length=6, choices=Payment.choices)
    quoted_minutes = models.PositiveIntegerField(_("quoted minutes"), null=True, blank=True)
    quoted_amount = models.DecimalField(
        _("quoted amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="agreement_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(
                    payment="banks", quoted_minutes__isnull=True, quoted_amount__isnull=True
                )
                | Q(payment="quoted", quoted_minutes__isnull=False, quoted_amount__isnull=True)
                | Q(payment="quoted", quoted_minutes__isnull=True, quoted_amount__isnull=False),
                name="agreement_version_payment_stated",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.agreement_id} v{self.number}"

    def milestone_list(self) -> list[dict[str, Any]]:
        """The milestones of this version, each with its due date as a date."""
        return [
            {**item, "due_on": date.fromisoformat(str(item["due_on"]))} for item in self.milestones
        ]


class AgreementDocument(models.Model):
    """The PDF of a version as it was sent to the client, and as the client accepted it."""

    class Kind(models.TextChoices):
        SENT = "sent", _("As sent")
        ACCEPTED = "accepted", _("As accepted")

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="agreement_document_once"),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.kind})"


class Milestone(models.Model):
    """A step of the production schedule; marked done by staff, alerted once if late."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    description = models.TextField(_("description"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "position", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(done_at__isnull=True), name="milestone_open_by_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


class MilestoneAlert(models.Model):
    """A late-milestone alert sent for one milestone and one due date; the row makes it once."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="alerts")
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["milestone", "due_on"], name="milestone_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} late after {self.due_on}"


class Delegate(models.Model):
    """Staff a manager named to approve agreements in the development lead's stead."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("delegate"), on_delete=models.CASCADE, related_name="+"
    )
    named_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-named_at", "-id"]
        verbose_name = _("approval delegate")
        verbose_name_plural = _("approval delegates")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="delegate_once"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("named_at")),
                name="delegate_revoked_after_named",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class AgreementSettings(models.Model):
    """The rules a manager sets for agreements (one row)."""

    # A delivery the client neither confirms nor disputes is taken as delivered after this
    # many business days of the standard service calendar.
    confirm_after_days = models.PositiveSmallIntegerField(
        _("business days to confirm a delivery"), default=5
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agreement settings")
        verbose_name_plural = _("agreement settings")

    def __str__(self) -> str:
        return f"{self.confirm_after_days} days"
