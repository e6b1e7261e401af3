"""Law 25: exports of a person's information, retention rules and runs, incidents, access log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import User

# The register keeps each incident at least five years (Regulation respecting confidentiality
# incidents, s. 7); a year here is 366 days so a leap year never shortens it.
INCIDENT_KEPT_DAYS = 5 * 366


class Action(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMIZE = "anonymize", _("Anonymize")


class RetentionRule(models.Model):
    """How long one kind of record is kept, and what happens to it after."""

    kind = models.CharField(_("kind of record"), max_length=40, unique=True)
    days = models.PositiveIntegerField(_("kept for (days)"))
    action = models.CharField(_("then"), max_length=10, choices=Action.choices)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="retention_days_min")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.days} d, {self.action}"


class RetentionRun(models.Model):
    """One pass of the retention job (or its dry run): what it did, or would do, per kind."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Periodic job")
        CONSOLE = "console", _("Console")
        API = "api", _("API")
        COMMAND = "command", _("Command line")

    dry_run = models.BooleanField(_("dry run"), default=False)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # {kind: {"days": d, "action": a, "before": iso, "count": n}} for each rule applied.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{'dry ' if self.dry_run else ''}run {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(int(c.get("count", 0)) for c in self.counts.values())


class Export(models.Model):
    """A request for a person's personal information, and its delivery (a ZIP of JSON and CSV)."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # When the file was ready, then each time it was downloaded (the first one is the delivery).
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    file_name = models.CharField(max_length=120, blank=True)
    data = models.BinaryField(blank=True, default=b"")
    size = models.PositiveBigIntegerField(_("size"), default=0)
    # Cleared by the retention job: the record of the request stays, the file goes.
    purged_at = models.DateTimeField(_("file removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("personal information export")
        verbose_name_plural = _("personal information exports")
        indexes = [models.Index(fields=["person", "-requested_at"])]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.person_id}"


class IncidentQuerySet(models.QuerySet["Incident"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(
            recorded_at__gt=timezone.now() - timedelta(days=INCIDENT_KEPT_DAYS)
        ).exists():
            raise IncidentKept
        return super().delete()


class IncidentKept(Exception):
    """An incident is kept in the register at least five years."""


class Incident(models.Model):
    """A confidentiality incident, as the register Law 25 asks for (s. 3.8)."""

    class Risk(models.TextChoices):
        PENDING = "pending", _("Being assessed")
        LOW = "low", _("No risk of serious injury")
        SERIOUS = "serious", _("Risk of serious injury")

    occurred_on = models.DateField(_("date of the incident"))
    discovered_on = models.DateField(_("date it came to light"))
    nature = models.TextField(_("what happened"))
    information = models.TextField(_("personal information concerned"))
    people = models.TextField(_("people concerned"))
    people_count = models.PositiveIntegerField(
        _("number of people concerned"), null=True, blank=True
    )
    risk = models.CharField(
        _("risk of serious injury"), max_length=8, choices=Risk.choices, default=Risk.PENDING
    )
    risk_assessment = models.TextField(_("assessment of the risk"), blank=True)
    commission_notified_on = models.DateField(
        _("Commission d'accès à l'information notified on"), null=True, blank=True
    )
    people_notified_on = models.DateField(_("people concerned notified on"), null=True, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("confidentiality incident")
        verbose_name_plural = _("confidentiality incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(discovered_on__gte=models.F("occurred_on")),
                name="incident_discovered_after_occurred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.nature[:40]}"

    @property
    def kept_until(self) -> date:
        return (self.recorded_at + timedelta(days=INCIDENT_KEPT_DAYS)).date()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.recorded_at > timezone.now() - timedelta(days=INCIDENT_KEPT_DAYS):
            raise IncidentKept
        return super().delete(*args, **kwargs)


class AccessEntry(models.Model):
    """Someone opened a person's record: never edited, never deleted but by the retention job."""

    class Where(models.TextChoices):
        CONSOLE = "console", _("Console: the person's page")
        API = "api", _("API: the person's record")
        EXPORT = "export", _("Export of personal information")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept even if the viewer's account goes.
    viewer_name = models.CharField(max_length=200)
    where = models.CharField(max_length=8, choices=Where.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access to a person's record")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["person", "-at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.viewer_name} → {self.person_id} ({self.where})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("the access log is append-only")
        super().save(*args, **kwargs)
