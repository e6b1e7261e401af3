#!/usr/bin/env python3
"""Developer entry point: `python3 dev.py start` runs Soutien with demo data, `test` tests it.

Needs only Python 3.11+. It creates `.venv`, installs the locked dependencies when the lock file
changes, and then runs the `soutien` command or the test suite inside that environment.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "dev.lock"
STAMP = VENV / ".soutien-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*cmd: str | Path, **kwargs: object) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def ensure_environment() -> None:
    """Create the virtual environment and install the locked dependencies if they changed."""
    if sys.version_info < (3, 11):
        sys.exit("Soutien needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print("Installing the locked dependencies into .venv ...", flush=True)
    pip = [BIN / "python", "-m", "pip", "--disable-pip-version-check", "-q"]
    _run(*pip, "install", "-r", LOCK)
    _run(*pip, "install", "--no-deps", "-e", ".")
    STAMP.write_text(wanted)


def start(args: list[str]) -> int:
    os.environ.setdefault("SOUTIEN_DATA_DIR", str(ROOT / "var"))
    port = os.environ.get("SOUTIEN_PORT", "8000")
    os.environ.setdefault("SITE_URL", f"http://localhost:{port}")
    # The demo has no mail server: emails it sends are written as files under var/sent-mail/.
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    soutien = str(BIN / "soutien")
    subprocess.run([soutien, "demo"], check=True, cwd=ROOT)
    os.execv(soutien, [soutien, "serve", "--port", port, *args])  # noqa: S606 (replaces this process)


def test(args: list[str]) -> int:
    python = str(BIN / "python")
    os.execv(python, [python, "-m", "pytest", *args])  # noqa: S606


def main() -> int:
    command, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command not in ("start", "test", "setup"):
        print(__doc__)
        return 2
    ensure_environment()
    if command == "start":
        return start(args)
    if command == "test":
        return test(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
