"""Background jobs on requests."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.ticketing import services


@every(minutes=60)
@task()
def close_resolved_tickets() -> int:
    """Close requests that stayed resolved past the reopen window."""
    return services.tickets_close_resolved()
