"""Sending processes for tests/newsletter/test_crash.py, each in its own process.

    send_driver.py setup '{"readers": 5000}'   make the database: readers who consent, some
                                               who do not, an issue whose sending has started
    send_driver.py work '{"die_after_gate": n}' send batches until the issue is sent (with
                                               `die_after_gate`, SIGKILL itself right after the
                                               n-th copy is committed as sent, before its ".")
    send_driver.py facts                       print what the database holds, as JSON

The database comes from DATABASE_URL; the SMTP server from EMAIL_HOST and EMAIL_PORT.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soutien.config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from soutien.accounts.services import staff_create  # noqa: E402
from soutien.newsletter import issues, selectors, sending, services, tasks  # noqa: E402
from soutien.newsletter.issues import SectionText  # noqa: E402
from soutien.newsletter.models import (  # noqa: E402
    ConsentEvent,
    ConsentText,
    Delivery,
    Issue,
    Subscriber,
    Suppression,
)

settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
settings.EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
settings.EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
settings.EMAIL_TIMEOUT = 30
settings.SITE_URL = "https://soutien.example"
Kind = ConsentEvent.Kind


def setup(config: dict[str, Any]) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    manager = staff_create(
        username="gestion", email="gestion@ebi.example", full_name="Geneviève Gestion",
        password="x", levels=(), support_manager=True,
    )  # fmt: skip
    text = ConsentText.objects.create(version="v1", text_fr="J'accepte.", text_en="I agree.")
    services.settings_save(
        actor=manager, sender_name="Groupe EBI", postal_address="1234, rue Sherbrooke Ouest\n"
        "Montréal (Québec) H3G 1A1", reach="soutien@ebi.example", from_address="infolettre@ebi.example",
        batch_size=config.get("batch", 100), rate_per_minute=0, senders=2,
    )  # fmt: skip
    readers = config["readers"]
    now = timezone.now()
    people = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n:05d}@example.org", language="fr" if n % 3 else "en")
        for n in range(readers)
    )
    ConsentEvent.objects.bulk_create(
        ConsentEvent(
            subscriber=s,
            kind=Kind.EXPRESS,
            source="console",
            text_version=text.version,
            text=text.text_fr,
            recorded_by=manager,
            at=now,
        )
        for s in people
    )
    # Addresses without consent now: withdrawn, never confirmed, suppressed, implied expired.
    others = Subscriber.objects.bulk_create(
        Subscriber(email=f"{kind}{n:03d}@example.org")
        for kind in ("withdrawn", "unconfirmed", "suppressed", "expired")
        for n in range(25)
    )
    events = []
    for s in others:
        if s.email.startswith("withdrawn"):
            events += [ConsentEvent(subscriber=s, kind=Kind.EXPRESS, source="console", at=now),
                       ConsentEvent(subscriber=s, kind=Kind.WITHDRAWAL, source="link", at=now)]  # fmt: skip
        elif s.email.startswith("unconfirmed"):
            events.append(ConsentEvent(subscriber=s, kind=Kind.EXPRESS, source="public_form",
                                       awaiting_confirmation=True, at=now))  # fmt: skip
        elif s.email.startswith("suppressed"):
            events.append(ConsentEvent(subscriber=s, kind=Kind.EXPRESS, source="console", at=now))
            Suppression.objects.create(email=s.email, reason="hard_bounce")
        else:
            events.append(ConsentEvent(subscriber=s, kind=Kind.IMPLIED, source="contract", at=now,
                                       expires_at=now - timedelta(days=1)))  # fmt: skip
    ConsentEvent.objects.bulk_create(events)
    issue = issues.issue_create(
        actor=manager, month=date(2026, 11, 1), intro_fr="Bonjour.", intro_en="Hello.",
        sections=[SectionText("knowledge_base", "Articles", "Articles",
                              "- [Erreur](/aide/articles/erreur/)", "- [Error](/aide/articles/erreur/)")],
    )  # fmt: skip
    tasks.send_later = lambda *args, **kwargs: None  # type: ignore[assignment]  (the test runs the senders)
    issues.issue_send(actor=manager, issue=issue)
    print(json.dumps({"issue": issue.pk, "copies": Delivery.objects.count()}))


def work(config: dict[str, Any]) -> None:
    die_after = config.get("die_after_gate")
    if die_after:
        gate = sending._commit_sent
        passed = 0

        def dying_gate(copy: sending.Copy, token: str) -> bool:
            nonlocal passed
            ok = gate(copy, token)
            passed += ok
            if passed == die_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return ok

        sending._commit_sent = dying_gate  # type: ignore[assignment]
    issue = Issue.objects.get()
    batches = sent = 0
    while Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).exists():
        report = sending.send_batch(issue_id=issue.pk)
        batches += 1
        sent += report.sent
        if report.problem:
            raise SystemExit(f"held up: {report.problem}")
        if not report.claimed:
            # What is left is held by a sender that died: wait for its claim to grow old.
            time.sleep(0.2)
    print(json.dumps({"batches": batches, "sent": sent}))


def facts() -> None:
    issue = Issue.objects.get()
    statuses: dict[str, int] = {}
    for status in Delivery.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    print(
        json.dumps(
            {
                "issue": issue.status,
                "statuses": statuses,
                "consenting": sorted(selectors.consenting().values_list("email", flat=True)),
                "recipients": sorted(Delivery.objects.values_list("email", flat=True)),
                "sent": sorted(
                    Delivery.objects.filter(status="sent").values_list("email", flat=True)
                ),
                "progress": selectors.progress_of(issue).as_dict(),
            }
        )
    )


if __name__ == "__main__":
    command = sys.argv[1]
    arguments = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    {"setup": setup, "work": work, "facts": lambda _: facts()}[command](arguments)
