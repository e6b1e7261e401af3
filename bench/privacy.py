"""Benchmark: exporting one person's information, and the retention job over old closed requests.

Makes one contact with --requests requests of --messages messages each (half theirs), --files
small attachments, a few hundred sign-in failures and emails; times `privacy.export.build` for
that person (the median of --repeat runs: is it fast enough to make while the requester waits?).
Then makes --old closed requests closed two years ago and times the retention job's dry run and
its real run (anonymizing them), each kind as the daily job applies it.

Run from a checkout (SQLite by default; PostgreSQL with --database-url postgres://...):
    bench/run privacy --requests 500 --messages 4 --files 50 --old 5000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from datagen import WORK, connect  # noqa: E402


def _people():
    from soutien.accounts.models import ClientRole, Organization, User

    org = Organization.objects.create(name=f"Banc {time.time_ns()}")
    person = User.objects.create(
        username=f"banc-{time.time_ns()}",
        email=f"banc{time.time_ns()}@example.com",
        full_name="Personne Banc",
        organization=org,
        client_role=ClientRole.CONTACT,
    )
    tech = User.objects.create(username=f"tech-{time.time_ns()}", handles_level_1=True)
    return org, person, tech


def _requests(org, contact, tech, *, count, messages, closed_days=None):
    from django.utils import timezone

    from soutien.ticketing.models import Message, Status, Ticket

    now = timezone.now()
    status = Status.CLOSED if closed_days else Status.OPEN
    closed_at = now - timedelta(days=closed_days) if closed_days else None
    tickets = Ticket.objects.bulk_create(
        Ticket(
            organization=org,
            contact=contact,
            subject=f"Demande {n} : la page ne s'affiche pas",
            body="Bonjour, depuis ce matin la page d'accueil reste blanche. " * 4,
            channel="web",
            received_at=now - timedelta(days=800 if closed_days else 1, minutes=n),
            status=status,
            closed_at=closed_at,
        )
        for n in range(count)
    )
    rows = [
        Message(
            ticket=t,
            kind="client" if m % 2 == 0 else "reply",
            author=contact if m % 2 == 0 else tech,
            body="Voici ce que je vois à l'écran, avec les étapes suivies. " * 3,
            at=now - timedelta(minutes=m),
        )
        for t in tickets
        for m in range(messages)
    ]
    Message.objects.bulk_create(rows, batch_size=2000)
    return tickets


def _files(contact, tickets, count):
    from django.core.files.base import ContentFile

    from soutien.ticketing.models import Attachment

    for n in range(count):
        a = Attachment(
            ticket=tickets[n % len(tickets)],
            name=f"capture-{n}.png",
            content_type="image/png",
            size=10_000,
            sha256="0" * 64,
            uploaded_by=contact,
        )
        a.file.save(f"capture-{n}.png", ContentFile(b"\x89PNG" + b"0" * 9_996), save=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{WORK / 'privacy.sqlite3'}")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--messages", type=int, default=4)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--old", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    connect(args.database_url, reset=True)

    from soutien.accounts.models import LoginFailure
    from soutien.privacy import export, services
    from soutien.privacy.models import RetentionRule

    org, person, tech = _people()
    tickets = _requests(org, person, tech, count=args.requests, messages=args.messages)
    _files(person, tickets, args.files)
    LoginFailure.objects.bulk_create(
        LoginFailure(username=person.email, address="192.0.2.1") for _ in range(300)
    )
    times, size = [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        size = len(export.build(person))
        times.append(time.perf_counter() - start)
    print(
        f"export: {args.requests} requests, {args.requests * args.messages // 2} messages of "
        f"theirs, {args.files} files -> {size / 1024:.0f} KiB ZIP, median "
        f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, "
        f"max {max(times) * 1000:.0f})"
    )

    other = _people()
    _requests(*other, count=args.old, messages=args.messages, closed_days=730)
    RetentionRule.objects.create(kind="closed_requests", days=365, action="anonymize")
    for dry in (True, False):
        start = time.perf_counter()
        run = services.retention_run(actor=None, trigger="command", dry_run=dry)
        elapsed = time.perf_counter() - start
        rate = run.total / elapsed if elapsed else 0
        print(
            f"retention {'dry run' if dry else 'real run'}: {run.total} closed requests "
            f"in {elapsed:.2f} s ({rate:.0f}/s)"
        )


if __name__ == "__main__":
    main()
