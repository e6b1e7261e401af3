"""Crash injection for the mail intake, run by tests/mail/test_crash.py in its own process.

It prepares its own database (SQLite file or PostgreSQL database, from DATABASE_URL), then for
each mailbox, each step of the intake and each n, delivers fresh messages to Dovecot and forks
an import that SIGKILLs itself the n-th time it reaches that step. Then it runs one clean poll
per mailbox and prints, as JSON, what the database holds, for the test to judge.

Steps: stored (inside the transaction that stores the bytes), committed (after it), before_flag
(just before the IMAP command that flags, moves or deletes), during_flag (that command sent,
its answer not read), flagged (answered, not yet recorded), processed (inside the transaction
that files the request).
"""

from __future__ import annotations

import imaplib
import json
import logging
import os
import signal
import sys
import traceback
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soutien.config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from imapclient import IMAPClient  # noqa: E402

from soutien.accounts.models import Organization, User  # noqa: E402
from soutien.channels.mail import ingest, intake, keys  # noqa: E402
from soutien.channels.mail.models import InboundEmail, Mailbox, ServerCopy  # noqa: E402
from soutien.outbound.models import OutboundEmail  # noqa: E402
from soutien.ticketing.models import Ticket  # noqa: E402

STEPS = {
    "stored": "stored",
    "committed": "committed",
    "before_flag": "server_action",
    "flagged": "server_acted",
    "processed": "processed",
}
IMAP_ACTIONS = (b" STORE ", b" MOVE ", b" EXPUNGE", b" COPY ")


class Killer(logging.Handler):
    """Kills the process the n-th time the intake logs the chosen step."""

    def __init__(self, step: str, nth: int) -> None:
        super().__init__(logging.DEBUG)
        self.step, self.nth, self.seen = step, nth, 0

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "mail_step", None) == self.step:
            self.seen += 1
            if self.seen == self.nth:
                os.kill(os.getpid(), signal.SIGKILL)


def kill_during_flag(nth: int) -> None:
    """Send the n-th flag/move/delete command to the server, then die before its answer."""
    original = imaplib.IMAP4.send
    seen = 0

    def send(self: imaplib.IMAP4, data: bytes) -> None:
        nonlocal seen
        original(self, data)
        if any(word in data for word in IMAP_ACTIONS):
            seen += 1
            if seen == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    imaplib.IMAP4.send = send  # type: ignore[method-assign]


def crashing_poll(mailbox_id: int, step: str, nth: int) -> str:
    """Fork an import that dies at the step; returns how it ended."""
    connections.close_all()
    pid = os.fork()
    if pid == 0:
        try:
            if step == "during_flag":
                kill_during_flag(nth)
            else:
                handler = Killer(STEPS[step], nth)
                for name in ("soutien.channels.mail.intake", "soutien.channels.mail.ingest"):
                    log = logging.getLogger(name)
                    log.setLevel(logging.DEBUG)
                    log.addHandler(handler)
            intake.poll(mailbox=Mailbox.objects.get(pk=mailbox_id))
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        return "killed"
    return "finished" if os.WEXITSTATUS(status) == 0 else "error"


def message(n: int, contact: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Marc Gagnon <{contact}>"
    msg["To"] = "support@soutien.example"
    msg["Subject"] = f"Demande {n:03d}"
    msg["Date"] = "Fri, 27 Nov 2026 10:00:00 -0500"
    msg["Message-ID"] = f"<crash-{n:03d}@saint-laurent.example>"
    msg.set_content(f"Message numéro {n}.")
    return msg.as_bytes()


def main() -> None:
    config: dict[str, Any] = json.loads(sys.argv[1])
    call_command("migrate", verbosity=0, interactive=False)
    org = Organization.objects.create(name="Ville de Saint-Laurent")
    contact = "marc.gagnon@saint-laurent.example"
    User.objects.create(
        username="marc", email=contact, full_name="Marc Gagnon", organization=org,
        client_role="contact",
    )  # fmt: skip
    boxes = {}
    for action, user in config["users"].items():
        boxes[action] = Mailbox.objects.create(
            name=action, address="support@soutien.example", host=config["host"],
            port=config["port"], security="none", username=user,
            password_encrypted=keys.encrypt_password(config["password"]),
            after_import=action, move_to="Archive" if action == "move" else "",
        )  # fmt: skip
    outcomes: dict[str, dict[str, list[str]]] = {}
    sent: dict[str, list[str]] = {action: [] for action in boxes}
    n = 0
    for action, box in boxes.items():
        with IMAPClient(config["host"], port=config["port"], ssl=False) as imap:
            imap.login(box.username, config["password"])
            for step in [
                "stored",
                "committed",
                "before_flag",
                "during_flag",
                "flagged",
                "processed",
            ]:
                for nth in config["nths"]:
                    for _ in range(config["per_round"]):
                        n += 1
                        imap.append("INBOX", message(n, contact))
                        sent[action].append(f"crash-{n:03d}@saint-laurent.example")
                    ended = crashing_poll(box.pk, step, nth)
                    outcomes.setdefault(action, {}).setdefault(step, []).append(ended)
    connections.close_all()
    clean = {action: intake.poll(mailbox=box).error for action, box in boxes.items()}
    # An email whose processing was killed three times is set aside; staff retry it.
    fixer = User.objects.create(username="fixer", is_superuser=True)
    retried = 0
    for email in InboundEmail.objects.filter(status=InboundEmail.Status.QUARANTINED):
        ingest.retry(actor=fixer, email=email)
        ingest.process(email_id=email.pk)
        retried += 1
    facts = {
        "outcomes": outcomes,
        "clean_poll_errors": clean,
        "retried": retried,
        "sent": sent,
        "emails": {
            mid: InboundEmail.objects.filter(message_id=mid).count()
            for mids in sent.values()
            for mid in mids
        },
        "tickets": {
            f"Demande {k:03d}": Ticket.objects.filter(subject=f"Demande {k:03d}").count()
            for k in range(1, n + 1)
        },
        "acknowledgements": list(
            OutboundEmail.objects.filter(template="acknowledgement")
            .values_list("ticket__subject", flat=True)
            .order_by("ticket__subject")
        ),
        "statuses": sorted(set(InboundEmail.objects.values_list("status", flat=True))),
        "copies_not_done": ServerCopy.objects.filter(server_done_at__isnull=True).count(),
        "copies": {a: ServerCopy.objects.filter(mailbox=b).count() for a, b in boxes.items()},
    }
    print("RESULT " + json.dumps(facts))


if __name__ == "__main__":
    main()
