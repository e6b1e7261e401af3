"""Periodic jobs that fire once per period across every machine running a worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from soutien.core.models import PeriodicSlot

logger = logging.getLogger(__name__)

TaskT = TypeVar("TaskT")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any
    period: timedelta

    def slot(self, at: datetime) -> int:
        return int(at.timestamp() // self.period.total_seconds())


_JOBS: dict[str, PeriodicJob] = {}


def every(*, minutes: int = 0, seconds: int = 0) -> Callable[[TaskT], TaskT]:
    """Register a task (from `@task()`) to be enqueued once in each period of this length."""
    period = timedelta(minutes=minutes, seconds=seconds)
    if period <= timedelta(0):
        raise ValueError("A periodic job needs a positive period")

    def register(task: TaskT) -> TaskT:
        name = str(task.module_path)  # type: ignore[attr-defined]
        _JOBS[name] = PeriodicJob(name=name, task=task, period=period)
        return task

    return register


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def enqueue_due_jobs(*, worker_id: str = "", at: datetime | None = None) -> list[str]:
    """Enqueue each job whose current period nobody has claimed yet; returns their names.

    The claim and the enqueued task commit together, so a crash leaves neither or both, and
    the unique (name, slot) row makes every other worker skip the job for this period.
    """
    at = at or timezone.now()
    fired = []
    for job in periodic_jobs():
        try:
            with transaction.atomic():
                PeriodicSlot.objects.create(
                    name=job.name, slot=job.slot(at), claimed_at=at, claimed_by=worker_id
                )
                job.task.enqueue()
        except IntegrityError:
            continue
        fired.append(job.name)
    if fired:
        PeriodicSlot.objects.filter(claimed_at__lt=at - timedelta(days=2)).delete()
        logger.debug("periodic jobs enqueued: %s", ", ".join(fired))
    return fired
