"""Background job on satisfaction: guarantees whose decision is overdue."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.satisfaction import services


@every(minutes=5)
@task()
def alert_overdue_guarantees() -> int:
    """Tell the managers of each guarantee undecided past its due time, once."""
    return services.alert_overdue_guarantees()
