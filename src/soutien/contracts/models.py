"""License contracts: validity, included support minutes, and optional terms of their own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LEVEL_KEYS = ("none", "1", "2", "3")
MAX_TARGET_MINUTES = 60 * 24 * 30


def validate_terms(value: Any) -> None:
    """`{"first_response_minutes": {"none": m, "1": m, "2": m, "3": m}}`, every key optional."""
    if not isinstance(value, dict):
        raise ValidationError(_("The terms must be an object."))
    unknown = set(value) - {"first_response_minutes"}
    if unknown:
        raise ValidationError(
            _("Unknown terms: %(names)s."), params={"names": ", ".join(sorted(unknown))}
        )
    targets = value.get("first_response_minutes", {})
    if not isinstance(targets, dict):
        raise ValidationError(_("first_response_minutes maps levels to minutes."))
    for key, minutes in targets.items():
        if key not in LEVEL_KEYS:
            raise ValidationError(_("Unknown level: %(key)s."), params={"key": key})
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= MAX_TARGET_MINUTES
        ):
            raise ValidationError(_("A target is a whole number of minutes, at least 1."))


class LicenseContract(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="contracts"
    )
    reference = models.CharField(_("reference"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    included_minutes = models.PositiveIntegerField(_("included support minutes"), default=0)
    terms = models.JSONField(_("own terms"), default=dict, blank=True, validators=[validate_terms])
    calendar = models.ForeignKey(
        "sla.ServiceCalendar",
        verbose_name=_("own service hours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the standard service hours."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "-starts_on"]
        verbose_name = _("license contract")
        verbose_name_plural = _("license contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="contract_dates_ordered"
            ),
            models.UniqueConstraint(
                fields=["organization", "reference"], name="contract_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def target_for(self, level: int | None) -> int | None:
        targets = self.terms.get("first_response_minutes", {}) if self.terms else {}
        value = targets.get("none" if level is None else str(level))
        return int(value) if value is not None else None

    @property
    def has_own_terms(self) -> bool:
        return bool(self.terms.get("first_response_minutes")) or self.calendar_id is not None


class Service(models.TextChoices):
    """What a support plan may include besides hours."""

    TELECONFERENCE = "teleconference", _("First-line support by teleconference")
    ONLINE = "online", _("Online troubleshooting and programming")
    NEWSLETTER = "newsletter", _("Monthly technical newsletter")
    TRAINING = "training", _("Custom training")


def validate_services(value: Any) -> None:
    if not isinstance(value, list) or any(item not in Service.values for item in value):
        raise ValidationError(_("Unknown service in the plan."))


class Plan(models.Model):
    """A support plan, on top of the contract: hours usable on a coverage calendar."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    minutes = models.PositiveIntegerField(_("hours included (minutes)"))
    calendar = models.ForeignKey(
        "sla.ServiceCalendar",
        verbose_name=_("coverage"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    services = models.JSONField(
        _("included services"), default=list, blank=True, validators=[validate_services]
    )
    is_custom = models.BooleanField(_("custom (negotiated)"), default=False)
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["is_custom", "minutes", "code"]
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")

    def __str__(self) -> str:
        return self.name_fr

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr

    def includes(self, service: str) -> bool:
        return service in (self.services or [])


class Subscription(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Copied from the plan when subscribing: a later change to the plan does not alter it.
    minutes = models.PositiveIntegerField(_("minutes"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "-starts_on"]
        verbose_name = _("plan subscription")
        verbose_name_plural = _("plan subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="subscription_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.organization})"


class HourBank(models.Model):
    """Minutes a client may draw on: one per license contract and one per plan subscription.

    `used_minutes` is kept under a row lock by the allocation service, so concurrent time
    entries never over-draw; `calendar` is the coverage (null: the standard service hours).
    """

    class Source(models.TextChoices):
        CONTRACT = "contract", _("License contract")
        PLAN = "plan", _("Plan")

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="hour_banks"
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    contract = models.OneToOneField(
        LicenseContract, on_delete=models.CASCADE, null=True, blank=True, related_name="bank"
    )
    subscription = models.OneToOneField(
        Subscription, on_delete=models.CASCADE, null=True, blank=True, related_name="bank"
    )
    total_minutes = models.PositiveIntegerField(_("total (minutes)"))
    used_minutes = models.PositiveIntegerField(_("used (minutes)"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    calendar = models.ForeignKey(
        "sla.ServiceCalendar",
        verbose_name=_("coverage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the standard service hours of the published policy."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["valid_until", "id"]
        verbose_name = _("hour bank")
        verbose_name_plural = _("hour banks")
        constraints = [
            models.CheckConstraint(
                condition=Q(used_minutes__lte=F("total_minutes")), name="bank_never_overdrawn"
            ),
            models.CheckConstraint(
                condition=(
                    Q(source="contract", contract__isnull=False, subscription__isnull=True)
                    | Q(source="plan", subscription__isnull=False, contract__isnull=True)
                ),
                name="bank_has_one_source",
            ),
        ]
        indexes = [models.Index(fields=["organization", "valid_until"])]

    def __str__(self) -> str:
        return self.label("fr")

    def label(self, language: str) -> str:
        """What the bank is called for its reader: "Contrat LIC-7", "Support de base plus"."""
        if self.contract_id is not None and self.contract is not None:
            prefix = "Contract" if language == "en" else "Contrat"
            return f"{prefix} {self.contract.reference}"
        if self.subscription is not None:
            return self.subscription.plan.name(language)
        return f"#{self.pk}"

    @property
    def left_minutes(self) -> int:
        return self.total_minutes - self.used_minutes

    @property
    def left_share(self) -> float:
        return self.left_minutes / self.total_minutes if self.total_minutes else 0.0


class TimeEntry(models.Model):
    """Work logged on a request; its minutes are drawn from hour banks, the rest is overage."""

    ticket = models.ForeignKey(
        "ticketing.Ticket", on_delete=models.PROTECT, related_name="time_entries"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="time_entries",
        db_index=False,
    )
    technician = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="time_entries"
    )
    started_at = models.DateTimeField(_("started at"))
    minutes = models.PositiveIntegerField(_("minutes"))
    note = models.TextField(_("note"), blank=True)
    # Work that is one of the services a plan may include (a training session): drawn only from
    # banks of plans that include it. Blank: ordinary support, drawn from any bank.
    service = models.CharField(
        _("service"), max_length=14, choices=Service.choices, blank=True, default=""
    )
    # Minutes no bank covered: billable.
    overage_minutes = models.PositiveIntegerField(_("overage (minutes)"), default=0)
    # The logged phone call this entry comes from, if any.
    call = models.OneToOneField(
        "ticketing.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="time_entry",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        indexes = [
            models.Index(fields=["organization", "started_at"]),
            # The reports' hours by month and technicians' time: an index-only scan of a period.
            models.Index(
                fields=["started_at"],
                include=["organization", "technician", "minutes", "overage_minutes"],
                name="entry_by_start",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="entry_minutes_range"
            ),
            models.CheckConstraint(
                condition=Q(overage_minutes__lte=F("minutes")), name="entry_overage_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on #{self.ticket_id}"

    @property
    def billable(self) -> bool:
        return self.overage_minutes > 0


class Allocation(models.Model):
    """Minutes of one time entry drawn from one bank."""

    # Indexed below, with what the reports read of it.
    entry = models.ForeignKey(
        TimeEntry, on_delete=models.CASCADE, related_name="allocations", db_index=False
    )
    bank = models.ForeignKey(HourBank, on_delete=models.PROTECT, related_name="allocations")
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["entry", "bank"]
        indexes = [
            # The reports' minutes drawn by bank and month: no visit of the table.
            models.Index(fields=["entry"], include=["bank", "minutes"], name="allocation_by_entry")
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "bank"], name="allocation_once_per_bank"),
            models.CheckConstraint(condition=Q(minutes__gte=1), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min from {self.bank_id}"


class TimeEntryChange(models.Model):
    """The audit trail of time entries: who created, edited or deleted one, when, and what."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        DELETED = "deleted", _("deleted")
        REALLOCATED = "reallocated", _("reallocated")

    # Kept as a plain id: the history outlives a deleted entry.
    entry_id = models.BigIntegerField(db_index=True)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey("ticketing.Ticket", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=12, choices=Action.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} entry {self.entry_id}"


class QuotedWork(models.Model):
    """A stretch of work on a request paid by a quote: its time entries draw from no bank.

    Opened when quoted work starts (a development agreement in production) and closed when
    it ends; an entry that starts inside it is neither drawn from a bank nor overage.
    """

    ticket = models.ForeignKey("ticketing.Ticket", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    starts_at = models.DateTimeField(_("quoted work starts at"))
    ends_at = models.DateTimeField(_("quoted work ends at"), null=True, blank=True)
    # What the quote is, in words staff recognize ("Entente de développement no 12").
    reference = models.CharField(_("reference"), max_length=200)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("quoted work")
        verbose_name_plural = _("quoted work")
        indexes = [models.Index(fields=["organization", "ticket"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="quoted_work_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ends_at__isnull=True), name="quoted_work_one_open"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


class BankAlert(models.Model):
    """A low-balance alert sent for one bank at one threshold (25, 10 or 0 % left), once."""

    bank = models.ForeignKey(HourBank, on_delete=models.CASCADE, related_name="alerts")
    threshold = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bank", "threshold"], name="bank_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.bank_id} at {self.threshold} %"


class Credit(models.Model):
    """Minutes given back to a bank, or overage waived, by a manager's decision (a guarantee).

    The statement of the period it was granted in shows it with its note.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="credits"
    )
    bank = models.ForeignKey(
        HourBank, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    minutes = models.PositiveIntegerField(_("minutes credited to the bank"), default=0)
    waived_overage_minutes = models.PositiveIntegerField(_("overage waived (minutes)"), default=0)
    note = models.TextField(_("note"))
    # What decided it, e.g. "guarantee:12".
    reference = models.CharField(max_length=100, blank=True)
    granted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["granted_at", "id"]
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        indexes = [models.Index(fields=["organization", "granted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) | Q(waived_overage_minutes__gt=0),
                name="credit_gives_something",
            ),
            models.CheckConstraint(
                condition=Q(minutes=0) | Q(bank__isnull=False), name="credit_minutes_need_a_bank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes}+{self.waived_overage_minutes} min for {self.organization_id}"
