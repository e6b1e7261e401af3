"""Generate a support desk's worth of data in bulk SQL: people, requests, messages, time, banks.

A million requests take minutes, not hours: people are created with the ORM (a few thousand
rows), requests, messages and history with `INSERT ... SELECT generate_series(...)`, in chunks,
with a progress bar.

PostgreSQL only: the benchmarks that use it measure the production setup.

Proportions (realistic for a vendor's desk): 70 % closed, 10 % resolved, 10 % open, 5 % waiting
on the client, 5 % new; levels 1/2/3 at 50/35/15 %; channels web/email/phone/fax at
45/35/15/5 %; received over the last two years, active requests in the last 30 days.

Use from another benchmark:   from datagen import connect, generate
Run alone:                    python bench/datagen.py --database-url postgres://... --requests 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"


def connect(database_url: str, *, reset: bool = False) -> None:
    """Point Django at `database_url` (created, or emptied with `reset`) and migrate it."""
    sys.path.insert(0, str(ROOT / "src"))
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SOUTIEN_DATA_DIR", str(WORK))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soutien.config.settings.prod")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if database_url.startswith("postgres"):
        _ensure_postgres_database(database_url, reset=reset)
    elif reset:
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def _ensure_postgres_database(url: str, *, reset: bool) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    admin = psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


@dataclass(frozen=True)
class Shape:
    requests: int
    messages_per_request: int = 5
    # Share of requests that are active (new, open, waiting); the rest are resolved or closed.
    active_share: float = 0.20
    contacts_per_organization: int = 5

    @property
    def organizations(self) -> int:
        return max(20, self.requests // 5000)


def _banks(organizations: list[int]) -> None:
    """A license contract (and its hour bank) for every organization, generous enough for years."""
    from datetime import date

    from soutien.contracts.models import HourBank, LicenseContract

    if LicenseContract.objects.filter(reference="BENCH-00000").exists():
        return
    contracts = LicenseContract.objects.bulk_create(
        LicenseContract(
            organization_id=org,
            reference=f"BENCH-{n:05d}",
            starts_on=date(2020, 1, 1),
            ends_on=date(2030, 12, 31),
            included_minutes=5_000_000,
        )
        for n, org in enumerate(organizations)
    )
    HourBank.objects.bulk_create(
        HourBank(
            organization_id=c.organization_id,
            source="contract",
            contract=c,
            total_minutes=c.included_minutes,
            valid_from=c.starts_on,
            valid_until=c.ends_on,
        )
        for c in contracts
    )


def _people(shape: Shape) -> tuple[list[int], list[int], dict[int, list[int]]]:
    """Organizations, contacts and technicians; returns (org ids, contact ids, technicians by level)."""
    from django.contrib.auth.hashers import make_password

    from soutien.accounts.models import ClientRole, Organization, User

    if Organization.objects.filter(name="Bench 00000").exists():
        orgs = list(Organization.objects.filter(name__startswith="Bench ").order_by("id"))
    else:
        orgs = Organization.objects.bulk_create(
            Organization(name=f"Bench {n:05d}", language="fr" if n % 4 else "en")
            for n in range(shape.organizations)
        )
        password = make_password("bench")
        User.objects.bulk_create(
            User(
                username=f"bench-contact-{org.pk}-{k}",
                email=f"contact{k}@org{org.pk}.bench.example",
                full_name=f"Contact {k} de {org.name}",
                organization=org,
                client_role=ClientRole.CLIENT_ADMIN if k == 0 else ClientRole.CONTACT,
                password=password,
            )
            for org in orgs
            for k in range(shape.contacts_per_organization)
        )
        User.objects.bulk_create(
            User(
                username=f"bench-tech-{n}",
                email=f"tech{n}@bench.example",
                full_name=f"Technicien {n}",
                handles_level_1=n % 3 == 0 or n % 5 == 0,
                handles_level_2=n % 3 == 1 or n % 5 == 0,
                handles_level_3=n % 3 == 2,
                is_support_manager=n == 0,
                password=password,
            )
            for n in range(30)
        )
    contacts = list(
        User.objects.filter(organization__name__startswith="Bench ")
        .order_by("organization_id", "id")
        .values_list("id", flat=True)
    )
    technicians = {
        level: list(
            User.objects.filter(
                username__startswith="bench-tech-", **{f"handles_level_{level}": True}
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
        for level in (1, 2, 3)
    }
    return [o.pk for o in orgs], contacts, technicians


# A deterministic, well-spread number in [0, 1) for row n, salted so columns vary independently.
def _spread(salt: int) -> str:
    return f"(((n * {salt}) %% 1000003) / 1000003.0)"


TICKETS_SQL = f"""
    INSERT INTO ticketing_ticket (
        organization_id, contact_id, subject, body, channel, received_at, level, assignee_id,
        status, created_at, updated_at, resolved_at, closed_at, sla_terms, kind, resolution_terms
    )
    SELECT org, contact, subject, body, channel, received, lvl,
           CASE lvl WHEN 1 THEN (%(tech1)s)[1 + (n %% cardinality(%(tech1)s))]
                    WHEN 2 THEN (%(tech2)s)[1 + (n %% cardinality(%(tech2)s))]
                    WHEN 3 THEN (%(tech3)s)[1 + (n %% cardinality(%(tech3)s))] END,
           st, received, received + make_interval(secs => (n %% 72) * 3600),
           CASE WHEN st IN ('resolved', 'closed') THEN received + interval '2 days' END,
           CASE WHEN st = 'closed' THEN received + interval '16 days' END,
           '{{}}', 'support', '{{}}'
    FROM (
        SELECT n,
               (%(organizations)s)[1 + (n %% cardinality(%(organizations)s))] AS org,
               (%(contacts)s)[1 + (n %% cardinality(%(organizations)s)) * %(per_org)s + (n / 7) %% %(per_org)s] AS contact,
               'Demande ' || n || ' : affichage des documents' AS subject,
               'Description de la demande ' || n || '. Le message d''erreur 5021 apparaît.' AS body,
               CASE WHEN {_spread(104729)} < 0.45 THEN 'web' WHEN {_spread(104729)} < 0.80 THEN 'email'
                    WHEN {_spread(104729)} < 0.95 THEN 'phone' ELSE 'fax' END AS channel,
               CASE WHEN {_spread(2654435761)} < %(new)s THEN 'new'
                    WHEN {_spread(2654435761)} < %(open)s THEN 'open'
                    WHEN {_spread(2654435761)} < %(waiting)s THEN 'waiting'
                    WHEN {_spread(2654435761)} < %(resolved)s THEN 'resolved' ELSE 'closed' END AS st,
               CASE WHEN {_spread(2654435761)} < %(new)s THEN NULL
                    WHEN {_spread(7919)} < 0.50 THEN 1 WHEN {_spread(7919)} < 0.85 THEN 2 ELSE 3 END AS lvl,
               -- Active requests arrived in the last 30 days, the others over two years.
               now() - make_interval(secs => 86400.0 * {_spread(40503)}
                   * CASE WHEN {_spread(2654435761)} < %(waiting)s THEN 30 ELSE 730 END) AS received
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g(n)
    ) AS rows
"""

# k messages per request: client message, reply, note, call, client, ... (staff ones need an assignee)
MESSAGES_SQL = """
    INSERT INTO ticketing_message (ticket_id, kind, author_id, body, at, created_at,
                                   call_direction, call_duration_minutes, caller)
    SELECT t.id,
           CASE m %% 4 WHEN 0 THEN 'client' WHEN 1 THEN 'reply' WHEN 2 THEN 'note' ELSE 'phone_call' END,
           CASE WHEN m %% 4 = 0 THEN t.contact_id ELSE t.assignee_id END,
           'Message ' || m || ' de la demande ' || t.id,
           t.received_at + make_interval(mins => m * 37),
           t.received_at + make_interval(mins => m * 37),
           CASE WHEN m %% 4 = 3 THEN 'outbound' ELSE '' END,
           CASE WHEN m %% 4 = 3 THEN 5 + (t.id %% 20) END,
           ''
    FROM ticketing_ticket t CROSS JOIN generate_series(0, %(k)s - 1) AS m
    WHERE t.id BETWEEN %(first)s AND %(last)s AND (m %% 4 = 0 OR t.assignee_id IS NOT NULL)
"""

# One time entry for each request that was worked on, drawn from its organization's contract bank.
ENTRIES_SQL = """
    INSERT INTO contracts_timeentry (ticket_id, organization_id, technician_id, started_at, minutes,
                                     note, overage_minutes, created_at, updated_at, service)
    SELECT t.id, t.organization_id, t.assignee_id, t.received_at + interval '1 hour', 15 + (t.id %% 46),
           'Analyse et correctif', 0, t.received_at + interval '2 hours', t.received_at + interval '2 hours', ''
    FROM ticketing_ticket t
    WHERE t.id BETWEEN %(first)s AND %(last)s AND t.assignee_id IS NOT NULL AND t.status <> 'new'
"""

ALLOCATIONS_SQL = """
    INSERT INTO contracts_allocation (entry_id, bank_id, minutes)
    SELECT e.id, b.id, e.minutes
    FROM contracts_timeentry e JOIN contracts_hourbank b
      ON b.organization_id = e.organization_id AND b.source = 'contract'
    WHERE e.ticket_id BETWEEN %(first)s AND %(last)s
"""

BANK_USE_SQL = """
    UPDATE contracts_hourbank b SET used_minutes = COALESCE(
        (SELECT SUM(a.minutes) FROM contracts_allocation a WHERE a.bank_id = b.id), 0)
"""

EVENTS_SQL = """
    INSERT INTO ticketing_event (ticket_id, actor_id, at, action, data)
    SELECT id, contact_id, received_at, 'created', '{}' FROM ticketing_ticket
    WHERE id BETWEEN %(first)s AND %(last)s
"""


def _array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def generate(shape: Shape, *, chunk: int = 50_000, quiet: bool = False) -> dict[str, float]:
    """Add `shape.requests` requests (with messages and history) to the connected database."""
    from django.db import connection, transaction
    from rich.progress import Progress

    from soutien.ticketing.models import Ticket

    if connection.vendor != "postgresql":
        raise SystemExit("The bulk generator needs PostgreSQL (DATABASE_URL=postgres://...).")
    started = time.perf_counter()
    organizations, contacts, technicians = _people(shape)
    _banks(organizations)
    active = shape.active_share
    # Arrays are our own integers, inlined as literals; the rest are bound parameters.
    sql = TICKETS_SQL
    for key, ids in {"organizations": organizations, "contacts": contacts}.items():
        sql = sql.replace(f"%({key})s", _array(ids))
    for level, ids in technicians.items():
        sql = sql.replace(f"%(tech{level})s", _array(ids))
    numbers = {
        "per_org": shape.contacts_per_organization,
        "new": active * 0.25,
        "open": active * 0.75,
        "waiting": active,
        "resolved": active + (1 - active) / 8,
    }
    first_id = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    timings: dict[str, float] = {}
    with Progress(disable=quiet) as progress:
        task = progress.add_task("requests", total=shape.requests)
        begin = time.perf_counter()
        for first in range(1, shape.requests + 1, chunk):
            last = min(first + chunk - 1, shape.requests)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, {**numbers, "first": first, "last": last})
            progress.advance(task, last - first + 1)
        timings["requests"] = time.perf_counter() - begin
        last_id = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if shape.messages_per_request:
            task = progress.add_task("messages", total=last_id - first_id + 1)
            begin = time.perf_counter()
            for first in range(first_id, last_id + 1, chunk):
                last = min(first + chunk - 1, last_id)
                with transaction.atomic(), connection.cursor() as cursor:
                    bounds = {"first": first, "last": last, "k": shape.messages_per_request}
                    cursor.execute(MESSAGES_SQL, bounds)
                    cursor.execute(EVENTS_SQL, bounds)
                    cursor.execute(ENTRIES_SQL, bounds)
                    cursor.execute(ALLOCATIONS_SQL, bounds)
                progress.advance(task, last - first + 1)
            timings["messages"] = time.perf_counter() - begin
    with connection.cursor() as cursor:
        cursor.execute(BANK_USE_SQL)
        cursor.execute("ANALYZE")
    timings["total"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=5, help="messages per request")
    parser.add_argument("--active-share", type=float, default=0.20)
    parser.add_argument("--reset", action="store_true", help="start from an empty database")
    args = parser.parse_args()
    connect(args.database_url, reset=args.reset)
    timings = generate(Shape(args.requests, args.messages, args.active_share))
    print(" ".join(f"{k}={v:.1f}s" for k, v in timings.items()))


if __name__ == "__main__":
    main()
