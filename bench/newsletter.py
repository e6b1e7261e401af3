"""Benchmark: newsletter copies per second to a local SMTP capture, for 10,000 readers.

Makes 10,000 subscribers with express consent (two thirds French), a four-part issue, then
starts sending (the recipients are fixed: that step is timed on its own) and times the senders
-- separate processes running `soutien.newsletter.sending.send_batch` in a loop, as the
background workers do -- until the issue is sent. The SMTP server is aiosmtpd in a process of
its own, counting what it accepts; nothing is written to disk.

With --compare-outbound, the same copies (the same bytes and headers, rendered beforehand) are
also sent through `soutien.outbound` as the rest of Soutien's email is: one OutboundEmail row
per reader, delivered by `outbound.delivery.deliver_due`. That is the comparison behind the
newsletter having a sender of its own (docs/newsletter.md).

Run from a checkout (PostgreSQL on 127.0.0.1):
    bench/run newsletter --recipients 10000 --senders 2 --compare-outbound
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from datagen import connect  # noqa: E402

INTRO = (
    "Bonjour! Ce mois-ci : la version 4.2.2, trois nouveaux articles et un problème de "
    "synchronisation résolu. Bonne lecture."
)
ARTICLES = "\n".join(
    f"- [Article {n} de la base de connaissances](/aide/articles/article-{n}/) — "
    "ce qu'il explique, en une phrase."
    for n in range(8)
)
PROBLEM = (
    "**Les profils sécurisés ne se synchronisaient plus.** Le connecteur d'annuaire perdait "
    "sa session après 24 heures; la version 4.2.1 la renouvelle. " * 3
)


def serve_smtp(port: int, counts: Path) -> None:
    """An SMTP server that accepts everything and counts it (this process until SIGTERM)."""
    from aiosmtpd.controller import Controller

    accepted = {"messages": 0, "bytes": 0}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            accepted["messages"] += len(envelope.rcpt_tos)
            accepted["bytes"] += len(envelope.original_content or b"")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    while not stop["now"]:
        time.sleep(0.05)
    controller.stop()
    counts.write_text(json.dumps(accepted))


def _setup(recipients: int, senders: int) -> int:
    from django.utils import timezone

    from soutien.accounts.services import staff_create
    from soutien.newsletter import issues, services, tasks
    from soutien.newsletter.issues import SectionText
    from soutien.newsletter.models import ConsentEvent, ConsentText, Subscriber

    manager = staff_create(
        username="gestion", email="gestion@bench.example", full_name="Gestion", password=secrets.token_hex(8),
        levels=(), support_manager=True,
    )  # fmt: skip
    text = ConsentText.objects.create(version="v1", text_fr="J'accepte.", text_en="I agree.")
    services.settings_save(
        actor=manager, sender_name="Éditeur — Soutien technique",
        postal_address="1000, rue Sherbrooke Ouest\nMontréal (Québec) H3A 0A1",
        reach="soutien@bench.example · 514 555-0100", from_address="infolettre@bench.example",
        batch_size=100, rate_per_minute=0, senders=senders,
    )  # fmt: skip
    now = timezone.now()
    readers = Subscriber.objects.bulk_create(
        (
            Subscriber(email=f"lecteur{n:06d}@bench.example", language="en" if n % 3 == 0 else "fr")
            for n in range(recipients)
        ),
        batch_size=5000,
    )
    ConsentEvent.objects.bulk_create(
        (
            ConsentEvent(
                subscriber=r,
                kind="express",
                source="console",
                at=now,
                text_version=text.version,
                text=text.text_fr,
                recorded_by=manager,
            )
            for r in readers
        ),
        batch_size=5000,
    )
    issue = issues.issue_create(
        actor=manager, month=date(2026, 11, 1), intro_fr=INTRO, intro_en=INTRO,
        sections=[
            SectionText("knowledge_base", "Nouveaux articles", "New articles", ARTICLES, ARTICLES),
            SectionText("problems", "Problèmes résolus", "Problems solved", PROBLEM, PROBLEM),
            SectionText("news", "Nouvelles", "News", INTRO, INTRO),
        ],
    )  # fmt: skip
    tasks.send_later = lambda *args, **kwargs: None  # type: ignore[assignment]  (timed below)
    started = time.perf_counter()
    issues.issue_send(actor=manager, issue=issue)
    print(f"recipients fixed in {time.perf_counter() - started:.2f} s")
    return issue.pk


def send(issue_id: int) -> None:
    """One sender: batches until the issue is sent (what each worker's task does)."""
    from soutien.newsletter import sending
    from soutien.newsletter.models import Issue

    while Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).exists():
        report = sending.send_batch(issue_id=issue_id)
        if report.problem:
            raise SystemExit(report.problem)
        if not report.claimed:
            time.sleep(0.05)


def _register_kind() -> None:
    from soutien.outbound.kinds import EmailKind, register

    register(EmailKind("bench_newsletter", "bench", lambda row: {}))


def deliver_outbound() -> None:
    """One outbound worker: deliver what is due until nothing is left."""
    from soutien.outbound import delivery
    from soutien.outbound.models import OutboundEmail

    _register_kind()
    due = OutboundEmail.objects.filter(status__in=["queued", "sending"])
    while due.exists():
        if not delivery.deliver_due(limit=200):
            time.sleep(0.05)


def _queue_outbound(issue_id: int) -> int:
    """The same copies as OutboundEmail rows, rendered beforehand (as the outbox keeps them)."""
    from soutien.newsletter import compose, selectors, sending, tokens
    from soutien.newsletter.models import Delivery, Issue
    from soutien.outbound.models import OutboundEmail

    _register_kind()
    issue = Issue.objects.get(pk=issue_id)
    config = selectors.settings_row()
    editions = {lang: compose.edition(issue, lang, config=config) for lang in ("fr", "en")}
    rows = []
    for copy in Delivery.objects.filter(issue=issue).order_by("id"):
        email = compose.message(editions[copy.language], to=copy.email,
                                token=tokens.reader_token(copy.subscriber_id),
                                message_id=sending.message_id(copy.pk))  # fmt: skip
        html = email.alternatives[0][0]
        headers = {k: str(v) for k, v in email.extra_headers.items()}
        rows.append(
            OutboundEmail(
                template="bench_newsletter",
                language=copy.language,
                to_address=copy.email,
                message_id=headers["Message-ID"].strip("<>"),
                subject=email.subject,
                text=email.body,
                html=html,
                headers=headers,
            )
        )
    OutboundEmail.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _run(role: str, count: int, env: dict[str, str], arg: str = "") -> float:
    started = time.perf_counter()
    workers = [
        subprocess.Popen([sys.executable, __file__, role, arg], env=env) for _ in range(count)
    ]
    for worker in workers:
        if worker.wait() != 0:
            raise SystemExit(f"a {role} process failed")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=2, help="sending processes")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/soutien_newsletter_bench"
    )
    parser.add_argument("--compare-outbound", action="store_true")
    args = parser.parse_args()
    from tests.mail.servers import free_port

    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["SOUTIEN_NEWSLETTER_CLAIM_SECONDS"] = "120"
    port = free_port()
    os.environ.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        SITE_URL="https://soutien.example",
    )
    connect(args.database_url, reset=True)
    issue_id = _setup(args.recipients, args.senders)
    counts = Path(os.environ.get("SOUTIEN_DATA_DIR", ".")) / "newsletter-smtp-counts.json"
    smtp = subprocess.Popen([sys.executable, __file__, "serve-smtp", str(port), str(counts)])
    time.sleep(1.0)
    env = {**os.environ, "DATABASE_URL": args.database_url}
    try:
        seconds = _run("send", args.senders, env, str(issue_id))
        result: dict[str, object] = {
            "recipients": args.recipients,
            "senders": args.senders,
            "seconds": round(seconds, 2),
            "per_second": round(args.recipients / seconds, 1),
        }
        if args.compare_outbound:
            queued = _queue_outbound(issue_id)
            seconds = _run("deliver-outbound", args.senders, env)
            result["outbound"] = {
                "emails": queued,
                "seconds": round(seconds, 2),
                "per_second": round(queued / seconds, 1),
            }
    finally:
        smtp.send_signal(signal.SIGTERM)
        smtp.wait()
    accepted = json.loads(counts.read_text())
    result["smtp_accepted"] = accepted["messages"]
    result["mean_message_bytes"] = accepted["bytes"] // max(accepted["messages"], 1)
    from django.db import connection

    from soutien.newsletter.models import Delivery

    result["copies_sent"] = Delivery.objects.filter(status="sent").count()
    result["postgresql"] = connection.cursor().connection.info.server_version
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve-smtp":
        serve_smtp(int(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] in ("send", "deliver-outbound"):
        import django

        sys.path.insert(0, str(ROOT / "src"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soutien.config.settings.prod")
        django.setup()
        if sys.argv[1] == "send":
            send(int(sys.argv[2]))
        else:
            deliver_outbound()
    else:
        main()
