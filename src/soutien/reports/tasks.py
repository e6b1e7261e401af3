"""The monthly reports go out from the first business moment of each month (checked hourly)."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.reports import monthly


@every(minutes=60)
@task()
def send_monthly_reports() -> int:
    return monthly.send_monthly_reports()
