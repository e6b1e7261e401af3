"""Background jobs on agreements: late milestones, deliveries taken as confirmed."""

from __future__ import annotations

from django_tasks import task

from soutien.agreements import services
from soutien.core.scheduling import every


@every(minutes=15)
@task()
def alert_late_milestones() -> int:
    """One alert per milestone whose day ended without it being marked done."""
    return services.alert_late_milestones()


@every(minutes=15)
@task()
def confirm_due_deliveries() -> int:
    """Deliveries the client neither confirmed nor disputed in time are taken as delivered."""
    return services.confirm_due_deliveries()
