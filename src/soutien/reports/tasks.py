"""The reports' background jobs: monthly reports (checked hourly), the facts' safety net."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.reports import facts, hours, monthly


@every(minutes=60)
@task()
def send_monthly_reports() -> int:
    return monthly.send_monthly_reports()


@every(minutes=15)
@task()
def refresh_report_facts() -> int:
    """Facts that drifted from their request (a change made in SQL) or from their calendar."""
    return facts.refresh_stale()


@every(minutes=15)
@task()
def refresh_report_hours() -> int:
    """Days of hours that drifted from their time entries (a change made in SQL)."""
    return hours.refresh_stale()
