"""`soutien report-facts [--rebuild]`: refresh the reports' facts that differ, or all of them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from soutien.reports import facts


class Command(BaseCommand):
    help = "Bring the reports' facts in step with the requests (docs/reports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="compute every request's fact again, not only those that differ",
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
