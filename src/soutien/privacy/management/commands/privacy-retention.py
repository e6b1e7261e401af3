"""`soutien privacy-retention [--dry-run]`: apply the retention rules now, or count only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from soutien.privacy import services
from soutien.privacy.models import RetentionRun


class Command(BaseCommand):
    help = "Apply the retention rules of personal information (Law 25) now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what each rule would touch, change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry = bool(options["dry_run"])
        run = services.retention_run(actor=None, trigger=RetentionRun.Trigger.COMMAND, dry_run=dry)
        verb = "would touch" if dry else "touched"
        if not run.counts:
            self.stdout.write("No retention rule is set: nothing to do.")
        for kind, figures in run.counts.items():
            self.stdout.write(
                f"{kind:<16} older than {figures['days']} days, {figures['action']}: "
                f"{verb} {figures['count']}"
            )
        if run.error:
            self.stderr.write(run.error)
        self.stdout.write(f"Run {run.pk}{' (dry run)' if dry else ''}: {verb} {run.total}.")
