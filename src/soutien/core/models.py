"""Bookkeeping for background work shared by every machine."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PeriodicSlot(models.Model):
    """A claimed period of a periodic job: the unique row makes it fire once everywhere."""

    name = models.CharField(max_length=200)
    slot = models.BigIntegerField()
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="periodic_slot_once")]

    def __str__(self) -> str:
        return f"{self.name}@{self.slot}"


class WorkerHeartbeat(models.Model):
    """A running worker says it is alive; a task whose worker went silent is run again."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
