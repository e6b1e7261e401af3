"""Two senders on one issue, one killed with SIGKILL mid-batch: every reader who consents gets
exactly one copy, nobody else any (real SMTP servers, real processes: tests/newsletter/
send_driver.py).

Each sender talks to its own aiosmtpd capture, so the capture of the sender to kill can kill it
at a chosen moment of a chosen message:

- "accepted": the server has the whole message (it runs its DATA handler, as a server that
  queued the message would); the sender never reads the server's answer. The copy was committed
  as sent before its final "." left, so nobody sends it again.
- "incomplete": the server has not got the message yet (killed at RCPT). The copy is still
  claimed; once the claim is old, the other sender takes it back and sends it.
- "between commit and dot": the sender kills itself right after committing a copy as sent,
  before the final "." -- the one window the design leaves: that reader gets nothing this
  time, and still nobody gets two.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.databases import own_database, process_env
from tests.mail.servers import free_port

DRIVER = Path(__file__).with_name("send_driver.py")
CLAIM_SECONDS = "3"


class Capture:
    """An SMTP server that keeps (recipient, message) and may kill the sender at its n-th one."""

    def __init__(self, received: list[tuple[str, bytes]], lock: threading.Lock) -> None:
        from aiosmtpd.controller import Controller

        self.received, self.lock = received, lock
        self.victim: int | None = None
        self.kill_at: tuple[str, int] | None = None  # ("rcpt" | "data", n)
        self.seen = {"rcpt": 0, "data": 0}
        self.killed = False
        capture = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                capture.maybe_kill("rcpt")
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                with capture.lock:
                    for address in envelope.rcpt_tos:
                        capture.received.append((address, envelope.original_content))
                capture.maybe_kill("data")
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def maybe_kill(self, step: str) -> None:
        self.seen[step] += 1
        if self.kill_at == (step, self.seen[step]) and self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)
            self.killed = True


def _driver(command: str, env: dict[str, str], config: dict | None = None) -> dict:
    run = subprocess.run(
        [sys.executable, str(DRIVER), command, json.dumps(config or {})],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-5000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.timeout_sensitive
@pytest.mark.parametrize(
    ("readers", "moment"),
    [(5000, "accepted"), (600, "incomplete"), (600, "between commit and dot")],
)
def test_a_sender_killed_mid_batch_while_another_runs_sends_each_reader_one_copy(
    tmp_path, readers, moment
):
    url, drop = own_database(tmp_path, "newsletter")
    env = process_env(
        url, tmp_path, SOUTIEN_NEWSLETTER_CLAIM_SECONDS=CLAIM_SECONDS, EMAIL_HOST="127.0.0.1"
    )
    received: list[tuple[str, bytes]] = []
    lock = threading.Lock()
    doomed, survivor = Capture(received, lock), Capture(received, lock)
    # Mid-batch: batches hold 100 copies; the doomed sender dies in its second or third.
    nth = 250 if readers >= 1000 else 150
    try:
        setup = _driver("setup", env, {"readers": readers})
        assert setup["copies"] == readers
        doomed.controller.start()
        survivor.controller.start()
        work: dict[str, object] = {}
        if moment == "between commit and dot":
            work = {"die_after_gate": nth}
        else:
            doomed.kill_at = ("data" if moment == "accepted" else "rcpt", nth)
        first = subprocess.Popen(
            [sys.executable, str(DRIVER), "work", json.dumps(work)],
            env={**env, "EMAIL_PORT": str(doomed.port)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        doomed.victim = first.pid
        second = subprocess.Popen(
            [sys.executable, str(DRIVER), "work"],
            env={**env, "EMAIL_PORT": str(survivor.port)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        _out, err = second.communicate(timeout=900)
        assert second.returncode == 0, err[-5000:]
        first.communicate(timeout=60)
        assert first.returncode == -signal.SIGKILL, "the first sender was not killed"
        facts = _driver("facts", env)
    finally:
        for capture in (doomed, survivor):
            if getattr(capture.controller, "_thread", None) is not None:
                capture.controller.stop()
        if drop is not None:
            drop()

    consenting = set(facts["consenting"])
    assert len(consenting) == readers
    assert set(facts["recipients"]) == consenting
    copies = Counter(address for address, _data in received)
    assert max(copies.values()) == 1, "a reader got two copies"
    assert set(copies) <= consenting, "someone without consent got a copy"
    assert facts["issue"] == "sent"
    if moment == "between commit and dot":
        # The one reader committed as sent whose "." never left gets nothing: at most once.
        assert set(consenting) - set(copies) == set(facts["sent"]) - set(copies)
        assert len(consenting - set(copies)) == 1
    else:
        assert set(copies) == consenting, "a reader who consents got nothing"
        assert set(facts["sent"]) == consenting
    assert facts["progress"]["sent"] == readers
    assert doomed.killed or moment == "between commit and dot"

    # What every copy carries (CASL, RFC 8058), read from what the servers received.
    for address, data in received:
        message = message_from_bytes(data, policy=policy.default)
        assert message["To"] == address
        assert (
            str(message["List-Unsubscribe"])
            .strip()
            .startswith("<https://soutien.example/newsletter/unsubscribe/")
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["From"].addresses[0].display_name == "Groupe EBI"
        text = message.get_body(("plain",)).get_content()
        assert "Montréal (Québec) H3G 1A1" in text
        assert "soutien@ebi.example" in text
        assert "https://soutien.example/infolettre/desabonnement/" in text
