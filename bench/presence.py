"""Benchmark: the console's queue and request pages while ten technicians' pages poll presence.

Generates N requests with `bench/datagen.py` (PostgreSQL), then ten level-1 technicians work at
once, round-robin in one process through Django's test client (the whole request: middleware,
session, view, template): each one's open request page polls `POST .../presence/` (every 5 s in
a browser; here back to back, which is harsher), and in between they load the level-1 queue and
open a request of it; the team has three shared saved views, counted in the queue's navigation.
Prints p50/p95/p99 of each kind of request, server side, on the clock and in this process's CPU.

Run from a checkout (PostgreSQL on 127.0.0.1):
    .venv/bin/python bench/presence.py --requests 1000000 --rounds 200
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datagen import Shape, connect, generate

TEAM_VIEWS = {
    "Level 1, active": {"level": "1", "status": "new,open,waiting"},
    "Open": {"status": "open"},
    "Waiting on the client": {"status": "waiting"},
}


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100)
    return f"p50 {q[49]:6.1f} ms   p95 {q[94]:6.1f} ms   p99 {q[98]:6.1f} ms   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=100, help="polls per technician")
    parser.add_argument("--technicians", type=int, default=10)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/soutien_bench_presence"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the data of a previous run")
    args = parser.parse_args()

    connect(args.database_url, reset=not args.keep)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from soutien.accounts.models import User
    from soutien.ticketing.models import ACTIVE_STATUSES, Ticket

    # The test client's host. Not setup_test_environment(): its instrumented template
    # rendering (a signal and a copy of the context per template) is no cost of production.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("collectstatic", "--noinput", verbosity=0)  # production's manifest storage
    if not args.keep:
        timings = generate(Shape(args.requests, messages_per_request=2))
        print(f"generated {args.requests:,} requests in {timings['requests']:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    technicians = list(
        User.objects.filter(handles_level_1=True, username__startswith="bench-tech-")
    )
    technicians = technicians[: args.technicians]
    queue = list(
        Ticket.objects.filter(level=1, status__in=ACTIVE_STATUSES)
        .order_by("first_response_due", "id")
        .values_list("pk", flat=True)[: len(technicians)]
    )
    # The team's saved views, counted in the queue page's navigation: a level's active
    # requests, the open ones, those waiting on the client (each matches tens of thousands).
    from soutien.workspace.models import SavedView
    from soutien.workspace.services import view_save

    for name, params in TEAM_VIEWS.items():
        if not SavedView.objects.filter(name=name, shared=True).exists():
            view_save(actor=technicians[0], name=name, params=params, shared=True)
    clients = []
    for technician in technicians:
        client = Client()
        client.force_login(technician)
        clients.append(client)
    # Two technicians on each request: each poll finds someone else there.
    targets = [queue[(n // 2) % len(queue)] for n in range(len(clients))]

    samples: dict[str, list[float]] = {"presence poll": [], "queue page": [], "request page": []}
    # This process's CPU time per request (Python: middleware, view, ORM, template), which the
    # machine's load stretches less than the time on the clock.
    cpu: dict[str, list[float]] = {kind: [] for kind in samples}

    def timed(kind: str, call) -> None:  # type: ignore[no-untyped-def]
        begin, begin_cpu = time.perf_counter(), time.process_time()
        response = call()
        samples[kind].append((time.perf_counter() - begin) * 1000)
        cpu[kind].append((time.process_time() - begin_cpu) * 1000)
        assert response.status_code == 200, (kind, response.status_code)

    # One of each, not counted: a freshly started process compiles its templates and opens its
    # connection on its first pages (a server's workers do once, not on each request).
    clients[0].get(f"/console/demandes/{targets[0]}/")
    clients[0].get("/console/?queue=1")
    clients[0].post(f"/console/demandes/{targets[0]}/presence/", {"typing": 0})
    # Each test client builds its own handler on its first request: it loads the middleware
    # (WhiteNoise lists every static file, 25-125 ms), which a server does once per process.
    # Counted, it made the first page of each of the ten technicians the p95.
    for client in clients[1:]:
        client.get("/console/?queue=1")
    for client, ticket_id in zip(clients, targets, strict=True):
        timed("request page", lambda c=client, t=ticket_id: c.get(f"/console/demandes/{t}/"))
    for n in range(args.rounds):
        for client, ticket_id in zip(clients, targets, strict=True):
            url = f"/console/demandes/{ticket_id}/presence/"
            timed("presence poll", lambda c=client, u=url, n=n: c.post(u, {"typing": n % 2}))
        if n % 10 == 0:
            for client, ticket_id in zip(clients, targets, strict=True):
                timed("queue page", lambda c=client: c.get("/console/?queue=1"))
                timed(
                    "request page", lambda c=client, t=ticket_id: c.get(f"/console/demandes/{t}/")
                )

    total = Ticket.objects.count()
    print(f"{total:,} requests, {len(clients)} technicians polling")
    for kind, values in samples.items():
        print(f"{kind:14} {_percentiles(values)}")
    print("CPU of this process per request:")
    for kind, values in cpu.items():
        print(f"{kind:14} {_percentiles(values)}")


if __name__ == "__main__":
    main()
