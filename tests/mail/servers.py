"""Real mail servers for tests and benchmarks: Dovecot (IMAP) and aiosmtpd (SMTP), on loopback.

Dovecot runs from Debian's package with a throwaway configuration in a temporary directory,
on a free port; nothing of the system's own Dovecot is read or touched.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-test-password"
ACCOUNTS = 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dovecot_available() -> bool:
    return Path(DOVECOT).exists()


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = soutien-test-{port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
mail_fsync = never
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{chroot}}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _group_of(user: str) -> str:
    import grp

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


class Dovecot:
    """A private Dovecot on 127.0.0.1; each test gets its own IMAP user (an empty mailbox)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="soutien-dovecot-"))
        self.port = free_port()
        self.host = "127.0.0.1"
        self.process: subprocess.Popen[bytes] | None = None
        self._users = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        root = self.root
        root.chmod(0o755)
        (root / "mail").mkdir()
        # Accounts made up front: Dovecot notices a changed passwd file by its mtime, to the
        # second, so accounts appended while it runs could be missed.
        (root / "passwd").write_text(
            "".join(f"user{n}:{{PLAIN}}{PASSWORD}\n" for n in range(1, ACCOUNTS + 1))
        )
        if os.getuid() == 0:
            # Dovecot refuses uid 0 for mail: the mail belongs to an unprivileged system user.
            mail_user, internal, login, chroot = "nobody", "dovecot", "dovenull", ""
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            mail_user = internal = login = me
            chroot = "  chroot =\n"
        shutil.chown(root / "mail", user=mail_user, group=_group_of(mail_user))
        config = CONFIG.format(
            root=root,
            port=self.port,
            internal=internal,
            internal_group=_group_of(internal),
            login=login,
            mail_user=mail_user,
            mail_group=_group_of(mail_user),
            chroot=chroot,
        )
        (root / "dovecot.conf").write_text(config)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"dovecot did not start: {err}{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def new_user(self) -> str:
        """A fresh IMAP account, never used before: its INBOX is empty."""
        with self._lock:
            self._users += 1
            if self._users > ACCOUNTS:
                raise RuntimeError("out of test IMAP accounts: raise ACCOUNTS")
            return f"user{self._users}"

    def client(self, user: str) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(user, PASSWORD)
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX", flags: tuple = ()) -> int:
        """Deliver a message as an MTA would (IMAP APPEND); returns its UID."""
        with self.client(user) as client:
            response = client.append(folder, raw, flags=flags)
        match = re.search(rb"APPENDUID \d+ (\d+)", response)
        assert match, response
        return int(match[1])

    def append_many(self, user: str, messages: list[bytes], folder: str = "INBOX") -> list[int]:
        uids = []
        with self.client(user) as client:
            for raw in messages:
                response = client.append(folder, raw)
                match = re.search(rb"APPENDUID \d+ (\d+)", response)
                assert match, response
                uids.append(int(match[1]))
        return uids

    def state(self, user: str, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """UID -> flags of every message in a folder."""
        with self.client(user) as client:
            if not client.folder_exists(folder):
                return {}
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return {int(u): data[b"FLAGS"] for u, data in client.fetch(uids, ["FLAGS"]).items()}


@dataclass
class Captured:
    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class SmtpCapture:
    """aiosmtpd on loopback, keeping every message Soutien sends."""

    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    messages: list[Captured] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    # Addresses answered "try again later" (4xx) at RCPT.
    defer: set[str] = field(default_factory=set)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        capture = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.lower() in capture.refuse:
                    return "550 5.1.1 No such user here"
                if address.lower() in capture.defer:
                    return "451 4.3.0 Try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                capture.messages.append(
                    Captured(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
                )
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        self.messages.clear()
        self.refuse.clear()
        self.defer.clear()
