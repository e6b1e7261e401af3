"""License contracts: validity, included support minutes, and optional terms of their own."""

from __future__ import annotations

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
