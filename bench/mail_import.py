"""Benchmark: email messages imported per second from Dovecot into PostgreSQL.

Builds N messages from the test corpus (tests/mail/corpus: Outlook, Gmail, Apple Mail and
Thunderbird mail, bounces, out-of-office replies, broken charsets...), each made unique by its
Message-ID, delivers them to a private Dovecot (the tests' throwaway configuration), then times
Soutien's intake until every message is stored and processed: fetched by UID, stored raw,
flagged on the server, parsed, and turned into a request, a client message, or set aside.

If django-helpdesk installs from PyPI into a throwaway virtualenv (bench/.work/helpdesk-venv),
its `get_email` (helpdesk.email.process_email) imports the same messages from another Dovecot
account into its own PostgreSQL database in the same run, for a ratio.

Run from a checkout (PostgreSQL on 127.0.0.1, Dovecot installed):
    .venv/bin/python bench/mail_import.py --messages 2000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
CORPUS = ROOT / "tests" / "mail" / "corpus"
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from tests.mail.servers import PASSWORD, Dovecot  # noqa: E402

from datagen import connect  # noqa: E402

MESSAGE_ID = re.compile(rb"^Message-I[Dd]:.*\r?\n(?:[ \t].*\r?\n)*", re.MULTILINE)
PLACEHOLDER = re.compile(rb"\{\{[A-Z]+:\w+\}\}")
PEOPLE = [
    ("saint-laurent", "Ville de Saint-Laurent", "marc.gagnon@saint-laurent.example", "Marc Gagnon"),
    ("saint-laurent", "", "julie.tremblay@saint-laurent.example", "Julie Tremblay"),
    ("maple", "Maple Health Inc.", "sarah.wilson@maplehealth.example", "Sarah Wilson"),
    ("beaubien", "Clinique Beaubien", "nadia.roy@cliniquebeaubien.example", "Nadia Roy"),
]


def corpus(count: int, exclude: frozenset[str] = frozenset()) -> list[bytes]:
    """`count` messages cycling through the corpus, each with a Message-ID of its own."""
    files = [f for f in sorted(CORPUS.glob("*.eml")) if f.name not in exclude]
    originals = [PLACEHOLDER.sub(b"1", f.read_bytes()) for f in files]
    messages = []
    for n in range(count):
        raw = MESSAGE_ID.sub(b"", originals[n % len(originals)], count=1)
        messages.append(f"Message-ID: <bench-{n}@bench.example>\r\n".encode() + raw)
    return messages


def soutien_run(dovecot: Dovecot, messages: list[bytes], database_url: str) -> dict[str, object]:
    connect(database_url, reset=True)
    from django.db import connection

    from soutien.accounts.models import Organization, User
    from soutien.channels.mail import intake, keys
    from soutien.channels.mail.models import InboundEmail, Mailbox
    from soutien.outbound.models import OutboundEmail
    from soutien.ticketing.models import Message, Ticket

    orgs: dict[str, Organization] = {}
    for key, name, email, full_name in PEOPLE:
        if name:
            orgs[key] = Organization.objects.create(name=name)
        User.objects.create(
            username=email, email=email, full_name=full_name, organization=orgs[key],
            client_role="contact",
        )  # fmt: skip
    user = dovecot.new_user()
    mailbox = Mailbox.objects.create(
        name="bench", address="support@soutien.example", host=dovecot.host, port=dovecot.port,
        security="none", username=user, password_encrypted=keys.encrypt_password(PASSWORD),
    )  # fmt: skip
    dovecot.append_many(user, messages)
    polls = 0
    started = time.perf_counter()
    while True:
        report = intake.poll(mailbox=mailbox)
        polls += 1
        if report.error:
            raise SystemExit(f"poll failed: {report.error}")
        if report.listed == 0 and report.stored == 0 and not report.processed:
            break
    elapsed = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for status in InboundEmail.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    flagged = sum(1 for flags in dovecot.state(user).values() if b"\\Seen" in flags)
    result = {
        "messages": len(messages),
        "seconds": round(elapsed, 2),
        "per_second": round(len(messages) / elapsed, 1),
        "polls": polls,
        "stored": InboundEmail.objects.count(),
        "statuses": statuses,
        "requests": Ticket.objects.count(),
        "client_messages": Message.objects.count(),
        "acknowledgements_queued": OutboundEmail.objects.count(),
        "flagged_on_server": flagged,
        "postgresql": connection.cursor().connection.info.server_version,
    }
    connection.close()
    return result


HELPDESK_RUNNER = r"""
import json, logging, sys, time
from pathlib import Path
import django
from django.conf import settings

config = json.loads(sys.argv[1])
work = Path(config["work"])
(work / "dh_urls.py").write_text(
    "from django.urls import include, path\nurlpatterns = [path('helpdesk/', include('helpdesk.urls'))]\n"
)
sys.path.insert(0, str(work))
settings.configure(
    SECRET_KEY="bench-only", USE_TZ=True, TIME_ZONE="America/Toronto", SITE_ID=1,
    INSTALLED_APPS=[
        "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
        "django.contrib.sessions", "django.contrib.sites", "django.contrib.messages",
        "django.contrib.humanize", "rest_framework", "helpdesk",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": config["db"],
                           "HOST": config["host"], "PORT": config["port"], "USER": config["user"]}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField", ROOT_URLCONF="dh_urls",
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                   "django.contrib.auth.context_processors.auth",
                                                   "django.contrib.messages.context_processors.messages"]}}],
    MIDDLEWARE=[], HELPDESK_TEAMS_MODE_ENABLED=False,
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DEFAULT_FROM_EMAIL="support@soutien.example", MEDIA_ROOT=str(work / "helpdesk-media"),
    LOGGING={"version": 1, "disable_existing_loggers": False, "root": {"level": "CRITICAL"}},
)
django.setup()
from django.core.management import call_command
from django.db import transaction
call_command("migrate", verbosity=0)
from importlib.metadata import version
from helpdesk.email import extract_email_metadata, process_email
from helpdesk.exceptions import DeleteIgnoredTicketException, IgnoreTicketException
from helpdesk.models import FollowUp, Queue, Ticket
queue = Queue.objects.create(
    title="Support", slug="support", email_address="support@soutien.example",
    email_box_type="imap", email_box_host=config["imap_host"], email_box_port=config["imap_port"],
    email_box_ssl=False, email_box_user=config["imap_user"], email_box_pass=config["imap_password"],
    email_box_imap_folder="INBOX", allow_email_submission=True, email_box_interval=0,
    logging_type="none",
)
if config["mode"] == "probe":
    # Each message alone, through what get_email calls for each message; nothing is kept.
    failures = {}
    for path in config["files"]:
        raw = Path(path).read_bytes().decode("utf-8", errors="replace")
        try:
            with transaction.atomic():
                try:
                    extract_email_metadata(message=raw, queue=queue, logger=logging.getLogger("x"))
                except (IgnoreTicketException, DeleteIgnoredTicketException):
                    pass
                transaction.set_rollback(True)
        except Exception as exc:
            failures[Path(path).name] = f"{type(exc).__name__}: {exc}"[:200]
    print("RESULT " + json.dumps({"failures": failures}))
    sys.exit(0)
started = time.perf_counter()
process_email(quiet=True)
elapsed = time.perf_counter() - started
print("RESULT " + json.dumps({
    "seconds": round(elapsed, 2), "tickets": Ticket.objects.count(),
    "followups": FollowUp.objects.count(), "version": version("django-helpdesk"),
    "django": django.get_version(),
}))
"""


def helpdesk_venv() -> tuple[Path | None, str]:
    """A throwaway virtualenv with django-helpdesk from PyPI, or why there is none."""
    venv = WORK / "helpdesk-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True)
        if made.returncode:
            return None, f"venv: {made.stderr.decode()[-500:]}"
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "django-helpdesk", "psycopg[binary]"],
        capture_output=True,
        text=True,
    )
    if pip.returncode:
        return None, f"pip install django-helpdesk failed: {pip.stderr[-800:]}"
    return python, ""


def helpdesk_run(
    python: Path,
    dovecot: Dovecot,
    database_url: str,
    *,
    messages: list[bytes] | None = None,
    probe: list[Path] | None = None,
) -> dict[str, object]:
    """django-helpdesk in its own process and database: time get_email, or probe files."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    name = f"{config['NAME']}_helpdesk"
    admin = psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432,
                            user=config["USER"] or "postgres", dbname="postgres", autocommit=True)  # fmt: skip
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = dovecot.new_user()
    if messages:
        dovecot.append_many(user, messages)
    runner = WORK / "helpdesk_runner.py"
    runner.write_text(HELPDESK_RUNNER)
    args = {
        "work": str(WORK), "db": name, "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432, "user": config["USER"] or "postgres",
        "imap_host": dovecot.host, "imap_port": dovecot.port, "imap_user": user,
        "imap_password": PASSWORD, "mode": "probe" if probe else "time",
        "files": [str(p) for p in probe or []],
    }  # fmt: skip
    run = subprocess.run(
        [str(python), str(runner), json.dumps(args)], capture_output=True, text=True
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    if run.returncode or not lines:
        raise SystemExit(f"django-helpdesk run failed: {run.stderr[-1500:]}")
    result: dict[str, object] = json.loads(lines[-1][len("RESULT ") :])
    if messages:
        left = dovecot.state(user)
        result["left_on_server"] = len(left)
        if left:
            # get_email gave up on a message: the rest of the mailbox waits behind it, and
            # every later run stops at the same one.
            result["blocked"] = True
        else:
            result["per_second"] = round(len(messages) / float(str(result["seconds"])), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/soutien_mail_bench"
    )
    parser.add_argument("--no-helpdesk", action="store_true", help="skip django-helpdesk")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    messages = corpus(args.messages)
    files = sorted(CORPUS.glob("*.eml"))
    size = sum(len(m) for m in messages)
    print(
        f"{len(messages)} messages, {size / 1e6:.1f} MB, cycling through {len(files)} corpus files"
    )
    dovecot = Dovecot()
    dovecot.start()
    try:
        ours = soutien_run(dovecot, messages, args.database_url)
        print("soutien, whole corpus:   ", json.dumps(ours))
        if args.no_helpdesk:
            return
        python, why = helpdesk_venv()
        if python is None:
            print(f"django-helpdesk skipped: {why}")
            return
        theirs = helpdesk_run(python, dovecot, args.database_url, messages=messages)
        print("helpdesk, whole corpus:  ", json.dumps(theirs))
        # Which corpus messages stop django-helpdesk, each tried alone; then both on the rest.
        # (as Dovecot hands them over: it stores NUL bytes as 0x80, for one)
        probe = WORK / "probe"
        probe.mkdir(exist_ok=True)
        user = dovecot.new_user()
        dovecot.append_many(user, [PLACEHOLDER.sub(b"1", path.read_bytes()) for path in files])
        with dovecot.client(user) as client:
            client.select_folder("INBOX", readonly=True)
            served = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"])
        copies = []
        for path, uid in zip(files, sorted(served), strict=True):
            copies.append(probe / path.name)
            copies[-1].write_bytes(served[uid][b"BODY[]"])
        failures = helpdesk_run(python, dovecot, args.database_url, probe=copies)["failures"]
        assert isinstance(failures, dict)
        print(f"helpdesk fails on {len(failures)} corpus messages: {json.dumps(failures)}")
        subset = corpus(args.messages, exclude=frozenset(failures))
        ours = soutien_run(dovecot, subset, args.database_url)
        theirs = helpdesk_run(python, dovecot, args.database_url, messages=subset)
        print("soutien, readable subset:", json.dumps(ours))
        print("helpdesk, readable subset:", json.dumps(theirs))
        ratio = float(str(ours["per_second"])) / float(str(theirs["per_second"]))
        print(f"ratio on that subset: soutien / helpdesk = {ratio:.2f}")
    finally:
        dovecot.stop()


if __name__ == "__main__":
    main()
