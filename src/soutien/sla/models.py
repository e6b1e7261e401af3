"""Service calendars, the versioned published policy, and the once-only SLA alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import validate_time_zone

WEEKDAYS = range(7)
MINUTES_PER_DAY = 24 * 60


def validate_windows(value: Any) -> None:
    """`{"0": [[480, 1020]], ...}`: weekday (0 = Monday) -> sorted disjoint [start, end) minutes."""
    if not isinstance(value, dict):
        raise ValidationError(_("The weekly hours must map weekdays to time ranges."))
    for key, ranges in value.items():
        if key not in {str(d) for d in WEEKDAYS} or not isinstance(ranges, list):
            raise ValidationError(_("Unknown weekday: %(key)s."), params={"key": key})
        previous_end = -1
        for item in ranges:
            if (
                not isinstance(item, list | tuple)
                or len(item) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in item)
            ):
                raise ValidationError(_("Each time range is a start and an end in minutes."))
            start, end = item
            if not 0 <= start < end <= MINUTES_PER_DAY:
                raise ValidationError(_("A time range must start before it ends, within the day."))
            if start < previous_end:
                raise ValidationError(_("Time ranges of one day must not overlap."))
            previous_end = end


class ServiceCalendar(models.Model):
    """When service time counts: weekly hours in a time zone, minus holidays and closures."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Toronto", validators=[validate_time_zone]
    )
    always_open = models.BooleanField(
        _("24 hours a day, 7 days a week"),
        default=False,
        help_text=_("Counts real elapsed time; holidays and closures do not apply."),
    )
    windows = models.JSONField(_("weekly hours"), default=dict, validators=[validate_windows])
    holiday_country = models.CharField(
        _("statutory holidays of (country)"), max_length=2, default="CA", blank=True
    )
    holiday_subdivision = models.CharField(
        _("province or state"), max_length=5, default="QC", blank=True
    )
    # Bumped by every edit, closures included, so cached calendars know they are stale.
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service calendar")
        verbose_name_plural = _("service calendars")

    def __str__(self) -> str:
        return self.name

    def windows_by_day(self) -> dict[int, list[tuple[int, int]]]:
        return {int(day): [(s, e) for s, e in ranges] for day, ranges in self.windows.items()}


class Closure(models.Model):
    """A day the manager closes the service on a calendar (beyond statutory holidays)."""

    calendar = models.ForeignKey(ServiceCalendar, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closure_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.calendar}: {self.date}"


class Policy(models.Model):
    """A version of the published support policy; the one in force at `received_at` applies."""

    effective_from = models.DateTimeField(_("in force from"), unique=True)
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("standard service hours"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    minutes_untriaged = models.PositiveIntegerField(_("not triaged (minutes)"), default=60)
    minutes_level_1 = models.PositiveIntegerField(_("level 1 (minutes)"), default=60)
    minutes_level_2 = models.PositiveIntegerField(_("level 2 (minutes)"), default=300)
    minutes_level_3 = models.PositiveIntegerField(_("level 3 (minutes)"), default=60)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("published policy")
        verbose_name_plural = _("published policy versions")

    def __str__(self) -> str:
        return str(_("Policy of %(date)s")) % {"date": self.version_date.isoformat()}

    @property
    def version_date(self) -> date:
        return timezone.localtime(self.effective_from).date()

    def minutes_for(self, level: int | None) -> int:
        return {
            None: self.minutes_untriaged,
            1: self.minutes_level_1,
            2: self.minutes_level_2,
            3: self.minutes_level_3,
        }[level]

    def text(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text_fr


class SlaAlert(models.Model):
    """A warning or breach notice sent for one due time of one request; the row makes it once."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Breach warning")
        BREACH = "breach", _("Breach")

    ticket = models.ForeignKey("ticketing.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    due = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind", "due"], name="sla_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.ticket_id} @ {self.due:%Y-%m-%d %H:%M}"


def policy_in_force(at: datetime) -> Policy | None:
    return Policy.objects.filter(effective_from__lte=at).order_by("-effective_from").first()


class SlaConfig(models.Model):
    """One row whose counter moves whenever a calendar or the policy changes.

    Processes keep calendars and policy versions in memory and check this counter (one indexed
    read) before using them, so an edit applies everywhere at once.
    """

    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"SLA configuration v{self.version}"
