"""The `soutien` command: serve runs the whole service; Django commands pass through."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")}
    env["SOUTIEN_DATA_DIR"] = str(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'soutien.sqlite3'}"
    return env


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read()


@pytest.mark.timeout_sensitive
def test_serve_runs_web_and_worker_on_sqlite_then_stops_cleanly(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "soutien", "serve", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                # Stopped first: reading the output of a server still running never ends.
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                output = proc.communicate(timeout=30)[0].decode() if proc.stdout else ""
                pytest.fail(f"soutien serve did not come up:\n{output[-3000:]}")
            time.sleep(0.3)
        status, body = _get(f"http://127.0.0.1:{port}/api/v1/openapi.json")
        assert status == 200
        assert b'"/api/v1/tickets"' in body
        status, body = _get(f"http://127.0.0.1:{port}/connexion/")
        assert status == 200
        assert b'name="password"' in body
        status, _ = _get(f"http://127.0.0.1:{port}/static/soutien/app.css")
        assert status == 200
        secret = (tmp_path / "secret_key").read_text()
        assert len(secret) >= 50
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("soutien serve did not stop on SIGTERM")
    with pytest.raises(urllib.error.URLError):
        _get(f"http://127.0.0.1:{port}/healthz")


def test_django_commands_pass_through(tmp_path):
    env = _env(tmp_path)
    env.update(
        DJANGO_SUPERUSER_USERNAME="root",
        DJANGO_SUPERUSER_PASSWORD="un-mot-de-passe-long",
        DJANGO_SUPERUSER_EMAIL="root@example.com",
    )
    subprocess.run([sys.executable, "-m", "soutien", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [sys.executable, "-m", "soutien", "createsuperuser", "--noinput"], env=env, check=True
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "soutien",
            "shell",
            "-c",
            "from soutien.accounts.models import User; print(User.objects.get().is_superuser)",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_serve_refuses_a_port_another_server_listens_on(tmp_path):
    # The web processes share their port through SO_REUSEPORT: without this check a second
    # Soutien (or anything else) could end up sharing the port with them, silently.
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "soutien", "serve", "--port", str(port)],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert not (tmp_path / "soutien.sqlite3").exists()  # stopped before touching the database
