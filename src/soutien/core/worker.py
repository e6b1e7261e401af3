"""The background worker: runs queued tasks, fires periodic jobs, re-runs tasks of dead workers."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from soutien.core.models import WorkerHeartbeat
from soutien.core.scheduling import enqueue_due_jobs

logger = logging.getLogger(__name__)

# A worker that has not said it is alive for this long is taken for dead.
STALE_AFTER = timedelta(seconds=90)
HEARTBEAT_EVERY = 10.0
# A task whose workers died this many times is given up, so a task that kills its worker
# cannot take every worker down in turn.
MAX_ATTEMPTS = 5


def beat(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "seen_at": now},
        create_defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "seen_at": now,
            "started_at": now,
        },
    )


def requeue_orphans(*, now: timedelta | None = None) -> int:
    """Put back in the queue the running tasks whose worker stopped beating; returns how many."""
    horizon = timezone.now() - STALE_AFTER
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=horizon).values_list("worker_id", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=horizon
        )
        for result in running:
            owner = result.worker_ids[-1] if result.worker_ids else ""
            if owner in alive:
                continue
            if len(result.worker_ids) >= MAX_ATTEMPTS:
                result.status = TaskResultStatus.FAILED
                result.finished_at = timezone.now()
                result.exception_class_path = "soutien.core.worker.WorkerDied"
                result.traceback = f"The worker died {len(result.worker_ids)} times running it."
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                logger.error("task %s given up after %d dead workers", result.id, MAX_ATTEMPTS)
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning("task %s of dead worker %s queued again", result.id, owner)
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return requeued


def housekeeping_once(worker_id: str) -> None:
    beat(worker_id)
    enqueue_due_jobs(worker_id=worker_id)
    requeue_orphans()


def _housekeeping_loop(worker_id: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            housekeeping_once(worker_id)
        except Exception:
            logger.exception("worker housekeeping failed; trying again shortly")
        finally:
            connection.close()
        stop.wait(HEARTBEAT_EVERY)


def run(*, interval: float = 1.0, queues: list[str] | None = None) -> None:
    """Run until SIGTERM/SIGINT: tasks on the main thread, housekeeping beside it."""
    worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]
    stop = threading.Event()
    helper = threading.Thread(
        target=_housekeeping_loop, args=(worker_id, stop), name="soutien-housekeeping", daemon=True
    )
    helper.start()
    worker = Worker(
        queue_names=queues or ["default"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=True,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    logger.info("worker %s started", worker_id)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
