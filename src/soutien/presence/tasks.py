"""Background jobs on presence rows."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.presence import services


@every(minutes=60)
@task()
def forget_old_presence() -> int:
    """Delete presence rows nobody has refreshed for a day."""
    return services.presence_forget_old()
