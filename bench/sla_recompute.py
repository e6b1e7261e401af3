"""Benchmark: recompute the SLA due times of every open request on PostgreSQL.

Generates N requests, all active (new, open or waiting), with `bench/datagen.py`, clears their
due times, then times `soutien.sla.services.recompute_open_tickets()` -- what runs in the
background after a calendar, policy or contract edit. A second pass, where nothing changes,
shows the cost of deciding alone (reads and calendar arithmetic, no writes).

Run from a checkout (PostgreSQL on 127.0.0.1):
    .venv/bin/python bench/sla_recompute.py --requests 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datagen import Shape, connect, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/soutien_bench_sla"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the data of a previous run")
    args = parser.parse_args()

    connect(args.database_url, reset=not args.keep)
    from django.db import connection

    from soutien.sla.services import recompute_open_tickets
    from soutien.ticketing.models import ACTIVE_STATUSES, Ticket

    if not args.keep:
        timings = generate(Shape(args.requests, messages_per_request=0, active_share=1.0))
        print(f"generated {args.requests:,} active requests in {timings['requests']:.1f} s")
    Ticket.objects.update(
        first_response_due=None, sla_terms={}, sla_calendar=None, sla_warn_at=None
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ticketing_ticket")
    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES).count()

    begin = time.perf_counter()
    changed = recompute_open_tickets()
    first = time.perf_counter() - begin
    begin = time.perf_counter()
    unchanged = recompute_open_tickets()
    second = time.perf_counter() - begin

    assert changed == active, (changed, active)
    assert unchanged == 0
    assert not Ticket.objects.filter(
        status__in=ACTIVE_STATUSES, first_response_due__isnull=True
    ).exists()
    print(f"open requests: {active:,}")
    print(f"recompute, all due times written: {first:.1f} s ({active / first:,.0f} requests/s)")
    print(f"recompute again, nothing to write: {second:.1f} s ({active / second:,.0f} requests/s)")


if __name__ == "__main__":
    main()
