from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from soutien.core.models import PeriodicSlot, WorkerHeartbeat
from soutien.core.scheduling import enqueue_due_jobs, periodic_jobs
from soutien.core.worker import MAX_ATTEMPTS, STALE_AFTER, beat, requeue_orphans
from soutien.ticketing.tasks import close_resolved_tickets


@pytest.fixture
def database_tasks(settings):
    """Queue tasks in the database, as production does (the suite runs them immediately)."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def test_close_resolved_tickets_is_a_registered_periodic_job():
    assert "soutien.ticketing.tasks.close_resolved_tickets" in {job.name for job in periodic_jobs()}


def test_a_periodic_job_fires_once_per_period_whoever_asks(db, database_tasks):
    at = datetime(2026, 12, 1, 15, 10, tzinfo=UTC)
    first = enqueue_due_jobs(worker_id="a", at=at)
    second = enqueue_due_jobs(worker_id="b", at=at + timedelta(minutes=5))
    assert "soutien.ticketing.tasks.close_resolved_tickets" in first
    assert "soutien.ticketing.tasks.close_resolved_tickets" not in second, "same hour: not again"
    later = enqueue_due_jobs(worker_id="b", at=at + timedelta(hours=1))
    assert "soutien.ticketing.tasks.close_resolved_tickets" in later
    path = close_resolved_tickets.module_path
    assert DBTaskResult.objects.filter(task_path=path).count() == 2
    assert PeriodicSlot.objects.filter(name=path).count() == 2


def _running_task(worker_id: str, attempts: int = 1) -> DBTaskResult:
    result = close_resolved_tickets.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now() - STALE_AFTER - timedelta(seconds=1)
    row.worker_ids = [f"{worker_id}-{n}" for n in range(attempts - 1)] + [worker_id]
    row.save()
    return row


def test_task_of_a_dead_worker_is_queued_again(db, database_tasks):
    row = _running_task("dead-worker")
    assert requeue_orphans() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert row.started_at is None


def test_task_of_a_live_worker_is_left_alone(db, database_tasks):
    beat("live-worker")
    row = _running_task("live-worker")
    assert requeue_orphans() == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING
    assert WorkerHeartbeat.objects.filter(worker_id="live-worker").exists()


def test_task_that_kills_every_worker_is_given_up(db, database_tasks):
    row = _running_task("dead", attempts=MAX_ATTEMPTS)
    assert requeue_orphans() == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
