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


class RequestFact(models.Model):
    """What the reports count of one request, kept up to date with it (soutien.reports.facts).

    The request's own columns the figures read, plus what is costly to work out at read time:
    the desk-zone month of each due time (grouping without a time-zone conversion per row) and
    the minutes to the first response, in service time on the governing calendar (as of
    `calendar_revision`) and in clock time.
    """

    ticket = models.OneToOneField(
        "ticketing.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    organization_id = models.BigIntegerField()
    level = models.PositiveSmallIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    received_at = models.DateTimeField()
    first_response_due = models.DateTimeField(null=True)
    first_response_month = models.DateField(null=True)  # first day, in the desk's zone
    first_responded_at = models.DateTimeField(null=True)
    resolution_due = models.DateTimeField(null=True)
    resolution_month = models.DateField(null=True)
    resolved_at = models.DateTimeField(null=True)
    calendar_id = models.BigIntegerField(null=True)
    calendar_revision = models.PositiveIntegerField(null=True)
    # Set when the request has its first response and a governing calendar.
    service_minutes = models.IntegerField(null=True)
    clock_minutes = models.IntegerField(null=True)
    # Responses to the client (replies, calls, teleconferences): one-touch resolution.
    responses = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["first_response_due"], name="fact_by_due"),
            models.Index(
                fields=["resolution_due"],
                condition=models.Q(resolution_due__isnull=False),
                name="fact_by_resolution_due",
            ),
            models.Index(
                fields=["received_at"],
                condition=models.Q(service_minutes__isnull=False),
                name="fact_answered",
            ),
            models.Index(fields=["calendar_id", "calendar_revision"], name="fact_by_calendar"),
            # The breaches list: answered late, or not answered (pending ones are few).
            models.Index(
                fields=["first_response_due"],
                condition=models.Q(first_responded_at__isnull=True)
                | models.Q(first_responded_at__gt=models.F("first_response_due")),
                name="fact_missed",
            ),
            models.Index(
                fields=["resolved_at"],
                condition=models.Q(resolved_at__isnull=False),
                name="fact_by_resolved",
            ),
        ]

    def __str__(self) -> str:
        return str(self.ticket_id)


class HoursDay(models.Model):
    """Minutes of one organization's time entries started on one day, kept up to date with them.

    One row without a bank per organization and desk-zone day with entries: the minutes logged
    and the overage; one row per bank minutes were drawn from that day: the minutes drawn
    (soutien.reports.hours). Hours by month sum these rows instead of joining every allocation
    of the period to its time entry.
    """

    organization_id = models.BigIntegerField()
    day = models.DateField()  # of the entries' start, in the desk's time zone
    bank_id = models.BigIntegerField(null=True)
    logged_minutes = models.PositiveIntegerField(default=0)
    overage_minutes = models.PositiveIntegerField(default=0)
    drawn_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            # Hours by month over a period: an index-only scan of its days.
            models.Index(
                fields=["day"],
                include=[
                    "organization_id",
                    "bank_id",
                    "logged_minutes",
                    "overage_minutes",
                    "drawn_minutes",
                ],
                name="hours_by_day",
            ),
        ]
        constraints = [
            # Also the index a refresh finds an organization's days by.
            models.UniqueConstraint(
                fields=["organization_id", "day", "bank_id"], name="hours_day_bank_once"
            ),
            models.UniqueConstraint(
                fields=["organization_id", "day"],
                condition=models.Q(bank_id__isnull=True),
                name="hours_day_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day} {self.bank_id}"
