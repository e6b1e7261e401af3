"""SLA background jobs."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from soutien.core.scheduling import every
from soutien.sla import services


@every(minutes=1)
@task()
def send_sla_alerts() -> list[int]:
    """Breach warnings 15 service minutes ahead and breach notices at the due time."""
    warned, breached = services.send_due_alerts()
    return [warned, breached]


@task()
def recompute_open_tickets(organization_id: int | None = None) -> int:
    """After an edit to a calendar, the policy or a contract: open requests' due times."""
    return services.recompute_open_tickets(organization_id=organization_id)


def recompute_later(*, organization_id: int | None = None) -> None:
    """Queue a recomputation once the current transaction commits (a background task)."""
    transaction.on_commit(lambda: recompute_open_tickets.enqueue(organization_id=organization_id))
