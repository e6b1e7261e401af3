"""`soutien mailbox ...`: add, list, check and poll from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from soutien.channels.mail import keys
from soutien.channels.mail.models import Mailbox
from soutien.ticketing.models import Ticket
from tests.mail.servers import PASSWORD
from tests.mail.test_intake import email


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("mailbox", *args, stdout=out)
    return out.getvalue()


def test_add_check_poll_and_list(db, dovecot, marc, monkeypatch):
    user = dovecot.new_user()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = run(
        "add", "soutien", "--address", "support@soutien.example", "--host", dovecot.host,
        "--port", str(dovecot.port), "--security", "none", "--username", user,
        "--password-stdin", "--after-import", "move", "--move-to", "Traités", "--check",
    )  # fmt: skip
    assert "mailbox soutien added" in out
    assert "signed in, INBOX holds 0 messages" in out
    mailbox = Mailbox.objects.get(name="soutien")
    assert keys.decrypt_password(mailbox.password_encrypted) == PASSWORD
    assert (mailbox.after_import, mailbox.move_to) == ("move", "Traités")

    dovecot.append(user, email(1))
    assert "1 new, 1 stored" in run("poll", "soutien")
    assert Ticket.objects.count() == 1
    listing = run("list")
    assert "soutien\temail\tactive" in listing
    assert "seen 1\timported 1\tquarantine 0" in listing


def test_a_fax_gateway_whose_password_is_in_the_environment(db):
    out = run(
        "add", "fax", "--address", "fax@soutien.example", "--host", "imap.example.com",
        "--username", "fax", "--password-env", "SOUTIEN_FAX_IMAP_PASSWORD", "--fax",
    )  # fmt: skip
    assert "mailbox fax added" in out
    fax = Mailbox.objects.get(name="fax")
    assert (fax.is_fax_gateway, fax.port, fax.password_env) == (
        True,
        993,
        "SOUTIEN_FAX_IMAP_PASSWORD",
    )
    assert fax.password_encrypted == ""


def test_mistakes_are_explained(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    # The command speaks the site's language (French by default): its messages are checked in
    # English.
    with translation.override("en"):
        with pytest.raises(CommandError, match="--password-env VARIABLE or --password-stdin"):
            run("add", "x", "--address", "a@b.example", "--host", "h", "--username", "u")
        with pytest.raises(CommandError, match="move_to: Say which folder"):
            run(
                "add", "x", "--address", "a@b.example", "--host", "h", "--username", "u",
                "--password-env", "P", "--after-import", "move",
            )  # fmt: skip
        with pytest.raises(CommandError, match="no mailbox named 'nope'"):
            run("poll", "nope")
