"""The retention job: once a day across every machine, apply the retention rules."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.privacy import services
from soutien.privacy.models import RetentionRun


@every(minutes=60 * 24)
@task()
def apply_retention() -> dict[str, object]:
    run = services.retention_run(actor=None, trigger=RetentionRun.Trigger.SCHEDULE, dry_run=False)
    return run.counts
