"""Knowledge-base background jobs."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.kb import services


@every(minutes=60)
@task()
def forget_past_visitors() -> int:
    """Delete yesterday's visitor hashes and salts, and old search figures."""
    return services.forget_past_visitors()
