"""Benchmark: each report's latency over N requests on PostgreSQL (p50 and p95).

Generates N requests with `bench/datagen.py` (two years of them, messages, time entries and
banks), gives them first-response due times and first responses in bulk SQL (level targets
added in clock time: the load the reports read, not the SLA engine's arithmetic, which
`bench/run sla-recompute` measures), builds the reports' facts as production does (the
`report-facts --rebuild` backfill, timed, then the periodic job's catch-up after requests
changed in SQL, timed), then times each report of `soutien.reports` for a month
and for a year, as the console and the API call them.

Run from a checkout (PostgreSQL on 127.0.0.1):
    bench/run reports --requests 1000000
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datagen import Shape, connect, generate

SLA_SQL = """
    UPDATE ticketing_ticket t SET
        first_response_due = t.received_at + make_interval(mins => CASE t.level
            WHEN 2 THEN 300 ELSE 60 END),
        sla_calendar_id = %(calendar)s,
        first_responded_at = (
            SELECT min(m.at) FROM ticketing_message m
            WHERE m.ticket_id = t.id AND m.kind IN ('reply', 'phone_call')
        )
    WHERE t.id BETWEEN %(first)s AND %(last)s
"""


def _fill_sla(chunk: int = 50_000) -> None:
    from django.db import connection, transaction

    from soutien.sla.models import Policy
    from soutien.ticketing.models import Ticket

    policy = Policy.objects.order_by("effective_from").first()
    assert policy is not None
    last_id = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for first in range(1, last_id + 1, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                SLA_SQL,
                {"calendar": policy.calendar_id, "first": first, "last": first + chunk - 1},
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ticketing_ticket")


def _facts(changed: int) -> None:
    """Build the reports' facts as production does, then time the periodic job's catch-up."""
    from django.core.management import call_command
    from django.db import connection

    quiet = io.StringIO()

    # The data was written in SQL (no save, no signal): the backfill computes every fact.
    begin = time.perf_counter()
    call_command("report-facts", "--rebuild", stdout=quiet)
    print(f"backfill (report-facts --rebuild): {time.perf_counter() - begin:.1f} s")
    for line in quiet.getvalue().splitlines():  # the facts' and the hours' times apart
        print(f"  {line}")
    quiet = io.StringIO()
    with connection.cursor() as cursor:
        # What autovacuum does on a live database: statistics, and the visibility map that lets
        # the covering indexes answer without visiting the tables.
        for table in (
            "reports_requestfact",
            "reports_hoursday",
            "ticketing_message",
            "contracts_timeentry",
            "contracts_allocation",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    begin = time.perf_counter()
    call_command("report-facts", stdout=quiet)
    print(f"refresh job, nothing changed: {time.perf_counter() - begin:.1f} s")
    for line in quiet.getvalue().splitlines():
        print(f"  {line}")
    quiet = io.StringIO()
    # Requests changed behind the product's back (in SQL): the job finds and refreshes them.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ticketing_ticket SET level = level %% 3 + 1"
            " WHERE id IN (SELECT id FROM ticketing_ticket WHERE level IS NOT NULL"
            " ORDER BY id DESC LIMIT %s)",
            [changed],
        )
    begin = time.perf_counter()
    call_command("report-facts", stdout=quiet)
    print(f"refresh job, {changed:,} requests changed: {time.perf_counter() - begin:.1f} s")
    for line in quiet.getvalue().splitlines():
        print(f"  {line}")
    quiet = io.StringIO()


RATINGS_SQL = """
    INSERT INTO satisfaction_rating (ticket_id, organization_id, rated_by_id, value, comment,
        via, created_at, updated_at, follow_up_note)
    SELECT t.id, t.organization_id, t.contact_id,
        CASE WHEN t.id %% 7 = 0 THEN 'bad' ELSE 'good' END,
        CASE WHEN t.id %% 7 = 0 THEN 'Trop long' ELSE '' END,
        'email', t.resolved_at + interval '1 day', t.resolved_at + interval '1 day', ''
    FROM ticketing_ticket t
    WHERE t.resolved_at IS NOT NULL AND t.id %% 10 < 6
    ON CONFLICT (ticket_id) DO NOTHING
"""


def _ratings() -> None:
    """Six resolved requests in ten rated, one in seven of those "bad" (none followed up)."""
    from django.db import connection, transaction

    begin = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RATINGS_SQL, [])
        added = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE satisfaction_rating")
    print(f"ratings: {added:,} added in {time.perf_counter() - begin:.1f} s")


def _time(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    run()  # warm the caches (calendars, the database's pages)
    samples = []
    for _ in range(repeat):
        begin = time.perf_counter()
        run()
        samples.append(time.perf_counter() - begin)
    samples.sort()
    p95 = samples[max(0, -(-95 * len(samples) // 100) - 1)]
    return statistics.median(samples), p95


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/soutien_bench_reports"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the data of a previous run")
    parser.add_argument(
        "--changed", type=int, default=1000, help="requests changed in SQL for the refresh job"
    )
    parser.add_argument(
        "--facts-built",
        action="store_true",
        help="with --keep: the facts of a previous run are current, time the reports only",
    )
    parser.add_argument("--only", default="", help="comma-separated names of the reports to time")
    args = parser.parse_args()

    connect(args.database_url, reset=not args.keep)
    from django.utils import timezone

    from soutien.reports import desk, selectors
    from soutien.reports.periods import Period

    if not args.keep:
        timings = generate(Shape(args.requests, messages_per_request=3))
        print(f"generated {args.requests:,} requests in {timings['total']:.1f} s")
        begin = time.perf_counter()
        _fill_sla()
        print(f"due times and first responses filled in {time.perf_counter() - begin:.1f} s")
    _ratings()
    if not (args.keep and args.facts_built):
        _facts(args.changed)

    day = timezone.localdate()
    month = Period(day.replace(day=1), day)
    year = Period(date(day.year - 1, day.month, 1), day)
    reports: dict[str, Callable[[Period], object]] = {
        "sla by level": lambda p: selectors.sla_attainment(p, group_by="level"),
        "sla by month": lambda p: selectors.sla_attainment(p, group_by="month"),
        "sla by organization": lambda p: selectors.sla_attainment(p, group_by="organization"),
        "sla by technician": lambda p: selectors.sla_attainment(p, group_by="technician"),
        "first response": lambda p: selectors.first_response_times(p),
        "hours by month": lambda p: selectors.hours_by_month(p),
        "bank balances": lambda p: selectors.bank_balances(p),
        "backlog": lambda p: desk.backlog_by_level_and_age(),
        "breaches": lambda p: desk.first_breaches(p, limit=200),
        "workload": lambda p: desk.workload(p),
        "reopen rate": lambda p: desk.reopen_rate(p),
        "one-touch": lambda p: desk.one_touch_rate(p),
        "satisfaction": lambda p: selectors.satisfaction(p),
    }
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        reports = {name: run for name, run in reports.items() if name in wanted}
    print(f"{'report':<22} {'month p50':>10} {'month p95':>10} {'year p50':>10} {'year p95':>10}")
    for name, report in reports.items():
        m50, m95 = _time(lambda r=report: r(month), args.repeat)
        y50, y95 = _time(lambda r=report: r(year), args.repeat)
        print(f"{name:<22} {m50:>9.3f}s {m95:>9.3f}s {y50:>9.3f}s {y95:>9.3f}s")


if __name__ == "__main__":
    main()
