"""`soutien mailbox add|list|check|poll`: mailboxes from the command line."""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from soutien.channels.mail import intake
from soutien.channels.mail.models import Mailbox
from soutien.channels.mail.selectors import mailbox_stats
from soutien.channels.mail.services import mailbox_check, mailbox_save
from soutien.core.errors import ServiceError

DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}


class Command(BaseCommand):
    help = "Add, list, check and poll the IMAP mailboxes Soutien reads."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a mailbox (or change the one of that name)")
        add.add_argument("name")
        add.add_argument("--address", required=True, help="the address clients write to")
        add.add_argument("--host", required=True, help="IMAP server")
        add.add_argument("--port", type=int, help="default: 993 with ssl, 143 otherwise")
        add.add_argument("--security", choices=Mailbox.Security.values, default="ssl")
        add.add_argument("--username", required=True)
        secret = add.add_mutually_exclusive_group()
        secret.add_argument(
            "--password-env", default="", help="read the password from this variable"
        )
        secret.add_argument("--password-stdin", action="store_true", help="read it from stdin")
        add.add_argument("--folder", default="INBOX")
        add.add_argument("--after-import", choices=Mailbox.AfterImport.values, default="flag")
        add.add_argument("--move-to", default="", help="folder for --after-import move")
        add.add_argument("--fax", action="store_true", help="this mailbox is the fax gateway")
        add.add_argument(
            "--training", action="store_true", help="new messages to it are training requests"
        )
        add.add_argument(
            "--unknown-sender", choices=Mailbox.UnknownSender.values, default="identify"
        )
        add.add_argument("--language", choices=["fr", "en"], default="fr")
        add.add_argument("--every", type=int, default=1, help="poll every N minutes")
        add.add_argument("--inactive", action="store_true", help="add it without polling it yet")
        add.add_argument("--check", action="store_true", help="sign in and open the folder")
        sub.add_parser("list", help="the mailboxes and what they saw and imported")
        for action in ("check", "poll"):
            one = sub.add_parser(action, help=f"{action} one mailbox now")
            one.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list()
        else:
            mailbox = Mailbox.objects.filter(name=options["name"]).first()
            if mailbox is None:
                raise CommandError(f"no mailbox named {options['name']!r}")
            if action == "check":
                self._check(mailbox)
            else:
                report = intake.poll(mailbox=mailbox)
                self.stdout.write(
                    f"{mailbox.name}: {report.listed} new, {report.stored} stored,"
                    f" {report.duplicates} already stored, processed {report.processed}"
                )
                if report.error:
                    raise CommandError(report.error)

    def _password(self, options: dict[str, Any], existing: Mailbox | None) -> str | None:
        if options["password_env"]:
            return None
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\n")
        if existing is not None and existing.password_encrypted:
            return None
        if not sys.stdin.isatty():
            raise CommandError("give --password-env VARIABLE or --password-stdin")
        return getpass.getpass(f"Password of {options['username']}: ")

    def _add(self, options: dict[str, Any]) -> None:
        existing = Mailbox.objects.filter(name=options["name"]).first()
        try:
            mailbox = mailbox_save(
                actor=None,
                mailbox=existing,
                name=options["name"],
                address=options["address"],
                host=options["host"],
                port=options["port"] or DEFAULT_PORTS[options["security"]],
                security=options["security"],
                username=options["username"],
                password=self._password(options, existing),
                password_env=options["password_env"],
                folder=options["folder"],
                after_import=options["after_import"],
                move_to=options["move_to"],
                is_fax_gateway=options["fax"],
                is_training=options["training"],
                unknown_sender=options["unknown_sender"],
                language=options["language"],
                poll_every_minutes=options["every"],
                is_active=not options["inactive"],
            )
        except ServiceError as exc:
            raise CommandError(f"{exc.field or 'mailbox'}: {exc.message}") from exc
        verb = "changed" if existing else "added"
        self.stdout.write(f"mailbox {mailbox.name} {verb} ({mailbox.username}@{mailbox.host})")
        if options["check"]:
            self._check(mailbox)

    def _check(self, mailbox: Mailbox) -> None:
        try:
            count = mailbox_check(mailbox=mailbox)
        except ServiceError as exc:
            raise CommandError(f"{mailbox.name}: {exc.message}") from exc
        self.stdout.write(f"{mailbox.name}: signed in, {mailbox.folder} holds {count} messages")

    def _list(self) -> None:
        boxes = list(Mailbox.objects.order_by("name"))
        stats = mailbox_stats(boxes)
        for box in boxes:
            s = stats[box.pk]
            kind = "fax" if box.is_fax_gateway else "training" if box.is_training else "email"
            state = "active" if box.is_active else "inactive"
            last = box.last_poll_at.isoformat(timespec="seconds") if box.last_poll_at else "never"
            self.stdout.write(
                f"{box.name}\t{kind}\t{state}\t{box.username}@{box.host}:{box.port}/{box.folder}"
                f"\tlast poll {last}\tseen {s.seen}\timported {s.imported}"
                f"\tquarantine {s.quarantined}"
            )
            for alarm in s.alarms:
                self.stdout.write(f"  ALARM: {alarm}")
