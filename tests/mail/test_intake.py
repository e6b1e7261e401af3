"""Intake against Dovecot: by UID, after-import actions, UIDVALIDITY, duplicates, failures."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.utils import timezone, translation

from soutien.channels.mail import intake, keys
from soutien.channels.mail.models import InboundEmail, Mailbox, ServerCopy
from soutien.channels.mail.selectors import mailbox_stats
from soutien.channels.mail.tasks import poll_mailboxes
from soutien.ticketing.models import Ticket
from tests.mail.conftest import SUPPORT
from tests.mail.servers import Dovecot


def email(n: int, *, sender: str = "marc.gagnon@saint-laurent.example", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = f"Demande {n}"
    msg["Message-ID"] = f"<intake-{n}@saint-laurent.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(f"Texte {n}")
    return msg.as_bytes()


def test_flag_keeps_the_messages_marked_and_a_second_poll_imports_nothing(mailbox, marc, dovecot):
    for n in range(3):
        dovecot.append(mailbox.username, email(n))
    first = intake.poll(mailbox=mailbox)
    assert (first.listed, first.stored, first.server_done) == (3, 3, 3)
    assert first.processed == {"imported": 3}
    flags = dovecot.state(mailbox.username)
    assert len(flags) == 3
    assert all(set(f) >= {b"\\Seen", b"$Soutien"} for f in flags.values())
    second = intake.poll(mailbox=mailbox)
    assert (second.listed, second.stored) == (0, 0)
    assert Ticket.objects.count() == 3
    mailbox.refresh_from_db()
    assert mailbox.last_success_at is not None
    assert mailbox.consecutive_failures == 0


def test_messages_read_in_a_mail_client_are_still_imported(mailbox, marc, dovecot):
    """Unlike helpdesks that fetch only unread mail: \\Seen set by someone else changes nothing."""
    dovecot.append(mailbox.username, email(1), flags=(b"\\Seen",))
    assert intake.poll(mailbox=mailbox).stored == 1
    assert Ticket.objects.count() == 1


def test_move_and_delete(make_mailbox, marc, dovecot):
    moving = make_mailbox(after_import="move", move_to="Traités")
    deleting = make_mailbox(after_import="delete")
    dovecot.append(moving.username, email(1))
    dovecot.append(deleting.username, email(2))
    intake.poll(mailbox=moving)
    intake.poll(mailbox=deleting)
    assert dovecot.state(moving.username) == {}
    assert len(dovecot.state(moving.username, "Traités")) == 1
    assert dovecot.state(deleting.username) == {}
    assert Ticket.objects.count() == 2


def test_the_same_message_in_two_mailboxes_is_one_message(make_mailbox, marc, dovecot):
    a, b = make_mailbox(), make_mailbox(address="aide@soutien.example")
    raw = email(7)
    dovecot.append(a.username, raw)
    dovecot.append(
        b.username, b"Received: from mx2.example by mx.example; Fri, 27 Nov 2026\r\n" + raw
    )
    assert intake.poll(mailbox=a).stored == 1
    report = intake.poll(mailbox=b)
    assert (report.stored, report.duplicates) == (0, 1)
    assert InboundEmail.objects.count() == 1
    assert ServerCopy.objects.filter(email__isnull=False).count() == 2
    assert Ticket.objects.count() == 1
    # Both servers are told: the copy in b is flagged too.
    assert all(b"\\Seen" in f for f in dovecot.state(b.username).values())


def test_a_message_without_message_id_seen_twice_is_one_message(make_mailbox, marc, dovecot):
    raw = email(8).replace(b"Message-ID: <intake-8@saint-laurent.example>\n", b"")
    assert b"Message-ID" not in raw
    a, b = make_mailbox(), make_mailbox()
    dovecot.append(a.username, raw)
    dovecot.append(b.username, b"Received: by relay.example; Fri, 27 Nov 2026\r\n" + raw)
    intake.poll(mailbox=a)
    intake.poll(mailbox=b)
    stored = InboundEmail.objects.get()
    assert stored.message_id.startswith("derived.")
    assert Ticket.objects.count() == 1


def test_a_new_uidvalidity_lists_everything_again_without_doubling(make_mailbox, marc, dovecot):
    mailbox = make_mailbox(folder="Soutien")
    with dovecot.client(mailbox.username) as client:
        client.create_folder("Soutien")
    for n in range(2):
        dovecot.append(mailbox.username, email(n), folder="Soutien")
    intake.poll(mailbox=mailbox)
    old = Mailbox.objects.get(pk=mailbox.pk).uidvalidity
    # The folder is recreated (a server migration, a restore): same messages, new UIDVALIDITY.
    with dovecot.client(mailbox.username) as client:
        client.delete_folder("Soutien")
        client.create_folder("Soutien")
    for n in range(3):
        dovecot.append(mailbox.username, email(n), folder="Soutien")
    report = intake.poll(mailbox=mailbox)
    mailbox.refresh_from_db()
    assert mailbox.uidvalidity != old
    assert (report.listed, report.stored, report.duplicates) == (3, 1, 2)
    assert Ticket.objects.count() == 3
    assert all(b"\\Seen" in f for f in dovecot.state(mailbox.username, "Soutien").values())


def test_password_from_an_environment_variable(make_mailbox, marc, dovecot, monkeypatch):
    mailbox = make_mailbox(password_encrypted="", password_env="SOUTIEN_TEST_IMAP_PASSWORD")
    dovecot.append(mailbox.username, email(1))
    report = intake.poll(mailbox=mailbox)
    assert "SOUTIEN_TEST_IMAP_PASSWORD is not set" in report.error
    monkeypatch.setenv("SOUTIEN_TEST_IMAP_PASSWORD", "imap-test-password")
    assert intake.poll(mailbox=mailbox).stored == 1


def test_passwords_are_stored_encrypted_and_a_new_secret_key_cannot_read_them(settings):
    token = keys.encrypt_password("s3cret!")
    assert "s3cret" not in token
    assert keys.decrypt_password(token) == "s3cret!"
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-" + "y" * 50
    assert keys.decrypt_password(token) is None
    settings.SECRET_KEY_FALLBACKS = [old]
    assert keys.decrypt_password(token) == "s3cret!"


@pytest.fixture
def own_dovecot(dovecot):
    """A Dovecot of this test's own: it delays logins from an address after a failed one."""
    server = Dovecot()
    server.start()
    yield server
    server.stop()


def test_failing_polls_raise_an_alarm_and_never_raise(db, own_dovecot):
    user = own_dovecot.new_user()
    mailbox = Mailbox.objects.create(
        name="wrong", address=SUPPORT, host=own_dovecot.host, port=own_dovecot.port,
        security="none", username=user, password_encrypted=keys.encrypt_password("wrong"),
    )  # fmt: skip
    report = intake.poll(mailbox=mailbox)
    assert "AUTHENTICATIONFAILED" in report.error
    # Then the server goes away (Dovecot delays repeated failed logins: another failure kind).
    Mailbox.objects.filter(pk=mailbox.pk).update(port=1)
    mailbox.refresh_from_db()
    for _ in range(2):
        assert "cannot connect" in intake.poll(mailbox=mailbox).error
    mailbox.refresh_from_db()
    assert mailbox.consecutive_failures == 3
    assert mailbox.failing
    stats = mailbox_stats([mailbox])[mailbox.pk]
    [alarm] = stats.alarms
    assert alarm.code == "polls_failing"
    assert alarm.params["count"] == 3
    with translation.override("fr"):
        assert "Les 3 derniers relevés ont échoué" in alarm.text
    with translation.override("en"):
        assert "The last 3 polls failed" in alarm.text


def test_a_message_larger_than_the_limit_keeps_its_headers_in_quarantine_and_stays_on_the_server(
    make_mailbox, marc, dovecot, settings
):
    settings.SOUTIEN_MAIL_MAX_MESSAGE_BYTES = 50_000
    mailbox = make_mailbox(after_import="delete")
    big = EmailMessage()
    big["From"] = "marc.gagnon@saint-laurent.example"
    big["Subject"] = "Énorme"
    big["Message-ID"] = "<big@saint-laurent.example>"
    big.set_content("Voir la pièce jointe.")
    big.add_attachment(b"x" * 80_000, maintype="application", subtype="octet-stream",
                       filename="gros.bin")  # fmt: skip
    dovecot.append(mailbox.username, big.as_bytes())
    dovecot.append(mailbox.username, email(2))
    report = intake.poll(mailbox=mailbox)
    assert report.error == ""
    stored = InboundEmail.objects.get(message_id="big@saint-laurent.example")
    assert stored.status == InboundEmail.Status.QUARANTINED
    assert "too large" in stored.reason
    assert b"Subject:" in bytes(stored.raw)
    assert b"xxxxxxxx" not in bytes(stored.raw)
    # Only the small one was deleted; the big one waits, flagged, for a human.
    left = dovecot.state(mailbox.username)
    assert len(left) == 1
    assert b"\\Seen" in next(iter(left.values()))
    assert InboundEmail.objects.get(message_id="intake-2@saint-laurent.example").ticket


def test_a_crash_between_storing_and_flagging_is_finished_by_the_next_poll(
    mailbox, marc, dovecot, monkeypatch
):
    dovecot.append(mailbox.username, email(1))

    def refuse(*args, **kwargs):
        raise OSError("connection reset by peer")

    monkeypatch.setattr("soutien.channels.mail.imap.ImapSession.done", refuse)
    report = intake.poll(mailbox=mailbox)
    assert "connection reset" in report.error
    copy = ServerCopy.objects.get()
    assert copy.state == ServerCopy.State.STORED
    assert copy.server_done_at is None
    assert b"\\Seen" not in next(iter(dovecot.state(mailbox.username).values()))
    monkeypatch.undo()
    report = intake.poll(mailbox=mailbox)
    assert report.server_done == 1
    assert b"\\Seen" in next(iter(dovecot.state(mailbox.username).values()))
    assert Ticket.objects.count() == 1


def test_the_periodic_job_polls_each_mailbox_in_its_turn(make_mailbox, marc, dovecot):
    due = make_mailbox()
    later = make_mailbox(poll_every_minutes=10)
    off = make_mailbox(is_active=False)
    Mailbox.objects.filter(pk=later.pk).update(last_poll_at=timezone.now() - timedelta(minutes=3))
    for box in (due, later, off):
        dovecot.append(box.username, email(box.pk))
    queued = poll_mailboxes.call()
    assert queued == [due.pk]
    assert ServerCopy.objects.filter(mailbox=due).count() == 1
    assert not ServerCopy.objects.exclude(mailbox=due).exists()


def test_a_poll_still_running_is_not_started_again(make_mailbox, dovecot):
    box = make_mailbox()
    Mailbox.objects.filter(pk=box.pk).update(
        poll_started_at=timezone.now() - timedelta(minutes=2),
        last_poll_at=timezone.now() - timedelta(minutes=5),
    )
    assert poll_mailboxes.call() == []
    # A poll that started long ago died with its worker: the mailbox is polled again.
    Mailbox.objects.filter(pk=box.pk).update(poll_started_at=timezone.now() - timedelta(minutes=30))
    assert poll_mailboxes.call() == [box.pk]


@pytest.mark.parametrize("state", ["quarantined", "waiting"])
def test_seen_and_imported_differing_for_a_reason_raises_an_alarm(mailbox, state):
    stored = InboundEmail.objects.create(
        key="k", message_id="m@x", mailbox=mailbox, raw=b"x", size=1,
        arrived_at=timezone.now(), status="quarantined" if state == "quarantined" else "received",
    )  # fmt: skip
    ServerCopy.objects.create(
        mailbox=mailbox, uidvalidity=1, uid=1, state="stored", email=stored,
        seen_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    stats = mailbox_stats([mailbox])[mailbox.pk]
    assert stats.seen == 1
    assert stats.imported == 0
    [alarm] = stats.alarms
    assert alarm.code == "unaccounted"
    assert alarm.params["seen"] == 1
    with translation.override("en"):
        assert "Seen 1" in alarm.text
