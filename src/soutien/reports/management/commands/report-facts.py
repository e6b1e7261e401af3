"""`soutien report-facts [--rebuild]`: refresh the reports' facts and hours that differ, or all."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from soutien.reports import facts, hours


class Command(BaseCommand):
    help = "Bring the reports' facts and hours in step with the requests (docs/reports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="compute every request's fact and every day's hours again, not only what differs",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        begin = time.perf_counter()
        if options["rebuild"]:
            count = facts.rebuild()
            verb = "computed"
        else:
            count = facts.refresh_stale()
            verb = "refreshed"
        elapsed = time.perf_counter() - begin
        self.stdout.write(f"{count} request facts {verb} in {elapsed:.1f} s.")
        begin = time.perf_counter()
        if options["rebuild"]:
            self.stdout.write(
                f"{hours.rebuild()} rows of hours by day computed"
                f" in {time.perf_counter() - begin:.1f} s."
            )
        else:
            self.stdout.write(
                f"{hours.refresh_stale()} days of hours recounted"
                f" in {time.perf_counter() - begin:.1f} s."
            )
