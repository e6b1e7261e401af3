"""Benchmark: search across requests (`ticketing.finder.find` with `q=`), PostgreSQL and SQLite.

PostgreSQL: requests, messages, history and time come from the bulk generator (`datagen`, 5
messages per request by default); SQLite: requests inserted in bulk here. The search index is
then filled in bulk with text drawn from a support vocabulary (French and English, a few words
everywhere and most words rare, as in real text), already stemmed as `ticketing.search` stems it:
about 120 words per request (subject, description, five messages), 1 in 4 requests with an
internal note. Then times, as a technician and as a client administrator, the first page (26
rows) of `find()` for queries of 1-3 words, a request number, a quoted phrase, an excluded word,
and words with filters (level, status, breached), soonest due first.

Run from a checkout (each database in its own child process):
    bench/run search --postgres-requests 1000000 --sqlite-requests 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

WORDS_PER_REQUEST = 120


def _vocabulary() -> tuple[list[str], list[str]]:
    """The benchmark's words (those of the knowledge-base benchmark), in a fixed random order
    (the first ones the most frequent), and their stems. Queries use the same order, without
    the glue words (stop words)."""
    from kb_search import EN_GLUE, EN_WORDS, FR_GLUE, FR_WORDS
    from soutien.kb.search.text import stems

    words = sorted(set(FR_WORDS + EN_WORDS + FR_GLUE + EN_GLUE))
    random.Random(1).shuffle(words)
    return words, [stems(w, "fr" if w in FR_WORDS or w in FR_GLUE else "en") for w in words]


def _content(words: list[str]) -> list[str]:
    from kb_search import EN_GLUE, FR_GLUE

    glue = set(FR_GLUE + EN_GLUE)
    return [w for w in words if w not in glue]


def _rank(rng: random.Random, n: int) -> int:
    # Rank-frequency like real text: a few words everywhere, most words rare.
    return min(int(rng.paretovariate(1.1)) - 1, n - 1)


def index_postgres(stems: list[str]) -> float:
    from django.db import connection

    begin = time.perf_counter()
    literal = "ARRAY[" + ",".join("'" + s.replace("'", "") + "'" for s in stems) + "]::text[]"
    n = len(stems)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ticketing_search")
        cursor.execute("SELECT min(id), max(id) FROM ticketing_ticket")
        low, high = cursor.fetchone()
        for first in range(low, high + 1, 50_000):
            # power(random(), 3) skews towards the first words: common ones everywhere.
            cursor.execute(
                f"""INSERT INTO ticketing_search (ticket_id, document)
                SELECT t.id,
                  setweight(to_tsvector('simple', t.id || ' ' || array_to_string(ARRAY(
                    SELECT ({literal})[1 + floor(power(random(), 3) * {n})::int]
                    FROM generate_series(1, 8) g WHERE t.id > 0), ' ')), 'A')
                  || setweight(to_tsvector('simple', array_to_string(ARRAY(
                    SELECT ({literal})[1 + floor(power(random(), 3) * {n})::int]
                    FROM generate_series(1, {WORDS_PER_REQUEST}) g WHERE t.id > 0), ' ')), 'C')
                  || CASE WHEN t.id %% 4 = 0 THEN setweight(to_tsvector('simple',
                    array_to_string(ARRAY(SELECT ({literal})[1 + floor(random() * {n})::int]
                    FROM generate_series(1, 20) g WHERE t.id > 0), ' ')), 'D')
                    ELSE ''::tsvector END
                FROM ticketing_ticket t WHERE t.id BETWEEN %s AND %s""",
                [first, first + 49_999],
            )
        cursor.execute("ANALYZE ticketing_search")
    return time.perf_counter() - begin


def fill_sqlite(requests: int, stems: list[str], seed: int) -> float:
    """Requests (bulk SQL) and their index rows (generated text) on SQLite."""
    from django.db import connection, transaction

    from datagen import Shape, _people
    from soutien.accounts.models import User

    begin = time.perf_counter()
    rng = random.Random(seed)
    organizations, _contacts, by_level = _people(Shape(requests=requests))
    contacts: dict[int, list[int]] = {}
    for pk, org in User.objects.filter(organization_id__in=organizations).values_list(
        "id", "organization_id"
    ):
        contacts.setdefault(org, []).append(pk)
    technicians = sorted({pk for ids in by_level.values() for pk in ids})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ticketing_ticket")
        if cursor.fetchone()[0] >= requests:
            return 0.0
        statuses = ["new", "open", "waiting", "resolved", "closed", "closed", "closed", "closed"]
        rows = []
        now = time.time()
        for n in range(requests):
            org = organizations[n % len(organizations)]
            status = statuses[n % len(statuses)]
            level = None if status == "new" else 1 + n % 3
            received = now - (n % 720) * 86400 - (n % 86400)
            rows.append(
                (
                    org,
                    contacts[org][n % len(contacts[org])],
                    f"Demande {n}",
                    "",
                    "web",
                    received,
                    level,
                    technicians[n % len(technicians)] if level else None,
                    status,
                    received + 3600 * (1 + n % 9),
                )
            )
        cursor.executemany(
            "INSERT INTO ticketing_ticket (organization_id, contact_id, subject, body, channel,"
            " received_at, level, assignee_id, status, created_at, updated_at, kind, sla_terms,"
            " resolution_terms, first_response_due) VALUES (%s, %s, %s, %s, %s,"
            " datetime(%s, 'unixepoch'), %s, %s, %s, datetime('now'), datetime('now'), 'support',"
            " '{}', '{}', datetime(%s, 'unixepoch'))",
            rows,
        )
        cursor.execute("DELETE FROM ticketing_search_fts")
        cursor.execute("SELECT id FROM ticketing_ticket ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        size = len(stems)
        for start in range(0, len(ids), 10_000):
            batch = []
            for pk in ids[start : start + 10_000]:
                public = " ".join(stems[_rank(rng, size)] for _ in range(WORDS_PER_REQUEST))
                notes = " ".join(rng.choice(stems) for _ in range(20)) if pk % 4 == 0 else ""
                batch.append((pk, f"{pk} {public}", notes))
            cursor.executemany(
                "INSERT INTO ticketing_search_fts (rowid, public, notes) VALUES (%s, %s, %s)", batch
            )
    return time.perf_counter() - begin


def queries(rng: random.Random, words: list[str], n: int, highest: int) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for _ in range(n):
        shape = rng.random()
        # People search for the words that tell their problem: any word of the vocabulary
        # (as the knowledge-base benchmark), not mostly the most common ones.
        pick = rng.sample(words, 3)
        if shape < 0.1:
            out.append({"q": str(rng.randint(1, highest))})
        elif shape < 0.2:
            out.append({"q": f'"{pick[0]} {pick[1]}"'})
        elif shape < 0.3:
            out.append({"q": f"{pick[0]} -{pick[1]}"})
        elif shape < 0.5:
            out.append({"q": pick[0], "level": str(rng.randint(1, 3)), "status": "open,waiting"})
        elif shape < 0.6:
            out.append({"q": pick[0], "sla": "breached"})
        else:
            out.append({"q": " ".join(pick[: rng.randint(1, 3)])})
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "mean": statistics.fmean(samples)}


def measure(samples: int, seed: int) -> dict[str, object]:
    from soutien.accounts.models import User
    from soutien.ticketing.finder import Filters, find
    from soutien.ticketing.models import Ticket

    words = _content(_vocabulary()[0])
    rng = random.Random(seed)
    highest = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 1
    technician = User.objects.technicians(1).order_by("id").first()
    admin = User.objects.filter(client_role="client_admin").order_by("id").first()
    assert technician is not None
    assert admin is not None
    results: dict[str, object] = {"requests": Ticket.objects.count()}
    for who, user in (("technician", technician), ("client administrator", admin)):
        asked = queries(rng, words, samples, highest)
        for params in asked[:20]:  # warm the caches
            list(find(user, Filters.from_params(params))[:26])
        timings = []
        for params in asked:
            begin = time.perf_counter()
            list(find(user, Filters.from_params(params)).values_list("id", "subject")[:26])
            timings.append((time.perf_counter() - begin) * 1000)
        results[who] = percentiles(timings)
    return results


def child(args: argparse.Namespace) -> None:
    from datagen import Shape, connect, generate

    connect(args.database_url, reset=args.reset)
    _words, stems = _vocabulary()
    from django.db import connection

    from soutien.ticketing.models import Ticket

    prepared: dict[str, float] = {}
    if connection.vendor == "postgresql":
        if Ticket.objects.count() < args.requests:
            prepared.update(generate(Shape(requests=args.requests), quiet=True))
            prepared["index"] = index_postgres(stems)
    else:
        prepared["fill"] = fill_sqlite(args.requests, stems, args.seed)
    result = measure(args.samples, args.seed)
    result["prepared_s"] = {k: round(v, 1) for k, v in prepared.items()}
    print("RESULT " + json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432/soutien_search_bench"
    )
    parser.add_argument("--postgres-requests", type=int, default=1_000_000)
    parser.add_argument("--sqlite-requests", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    here = Path(__file__).resolve().parent
    runs = []
    if args.only in (None, "postgres"):
        runs.append(("PostgreSQL", args.postgres, args.postgres_requests))
    if args.only in (None, "sqlite"):
        sqlite = f"sqlite:///{here / '.work' / 'search_bench.sqlite3'}"
        runs.append(("SQLite", sqlite, args.sqlite_requests))
    for name, url, requests in runs:
        command = [
            sys.executable, str(Path(__file__).resolve()), "--child", "--database-url", url,
            "--requests", str(requests), "--samples", str(args.samples), "--seed", str(args.seed),
        ]  # fmt: skip
        if args.reset:
            command.append("--reset")
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ)
        line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
        result = json.loads(line.removeprefix("RESULT "))
        print(f"{name}: {result['requests']:,} requests (prepared: {result['prepared_s']})")
        for who in ("technician", "client administrator"):
            p = result[who]
            print(
                f"  {who:22} p50 {p['p50']:6.1f} ms  p95 {p['p95']:6.1f} ms"
                f"  p99 {p['p99']:6.1f} ms  mean {p['mean']:6.1f} ms"
            )


if __name__ == "__main__":
    main()
