"""Crash injection: kill the import at each step, many times; a clean poll then has every
message exactly once (tests/mail/crash_driver.py does the killing in its own process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import own_database, process_env
from tests.mail.servers import PASSWORD, Dovecot

DRIVER = Path(__file__).with_name("crash_driver.py")
STEPS = ["stored", "committed", "before_flag", "during_flag", "flagged", "processed"]
NTHS = [1, 2, 3]
PER_ROUND = 2


@pytest.mark.timeout_sensitive
def test_killing_the_import_at_every_step_never_loses_nor_doubles_a_message(
    dovecot: Dovecot, tmp_path
):
    users = {action: dovecot.new_user() for action in ("flag", "move", "delete")}
    url, drop = own_database(tmp_path, "crash")
    env = process_env(url, tmp_path)
    config = {
        "host": dovecot.host,
        "port": dovecot.port,
        "password": PASSWORD,
        "users": users,
        "nths": NTHS,
        "per_round": PER_ROUND,
    }
    try:
        run = subprocess.run(
            [sys.executable, str(DRIVER), json.dumps(config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        if drop is not None:
            drop()
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    assert lines, run.stdout[-3000:]
    facts = json.loads(lines[-1][len("RESULT ") :])

    # The killing happened, at every step of every mailbox, and nothing else went wrong.
    for action, steps in facts["outcomes"].items():
        assert set(steps) == set(STEPS)
        for step, ends in steps.items():
            assert "error" not in ends, (action, step, run.stderr[-3000:])
            assert ends.count("killed") >= 2, (action, step, ends)
    assert facts["clean_poll_errors"] == {"flag": "", "move": "", "delete": ""}

    # Every message exactly once: one stored email, one request, one acknowledgement.
    total = len(STEPS) * len(NTHS) * PER_ROUND * 3
    assert len(facts["emails"]) == total
    assert set(facts["emails"].values()) == {1}
    assert len(facts["tickets"]) == total
    assert set(facts["tickets"].values()) == {1}
    assert facts["acknowledgements"] == sorted(facts["tickets"])
    assert facts["statuses"] == ["imported"]
    assert facts["copies_not_done"] == 0
    per_box = total // 3
    assert facts["copies"] == {"flag": per_box, "move": per_box, "delete": per_box}

    # And the server holds what each action promises, each message once.
    flagged = dovecot.state(users["flag"])
    assert len(flagged) == per_box
    assert all(b"\\Seen" in flags for flags in flagged.values())
    assert dovecot.state(users["move"]) == {}
    assert len(dovecot.state(users["move"], "Archive")) == per_box
    assert dovecot.state(users["delete"]) == {}
