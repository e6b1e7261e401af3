"""pip-audit on the lock files: fail on a known vulnerability, say so plainly when it cannot look.

pip-audit asks a vulnerability service on the internet (PyPI's JSON API by default, or OSV).
Where that service cannot be reached, pip-audit skips every package ("not found on PyPI") and
still prints "No known vulnerabilities found"; this script reads its JSON report instead and
tells the three cases apart: vulnerabilities (exit 1), audited and clean (exit 0), or not
audited because the service is out of reach (exit 0, with a warning naming how many packages
went unchecked). Run from the repository root: `.venv/bin/python tools/audit_locks.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = sorted((ROOT / "requirements").glob("*.lock"))
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
TIMEOUT = 300


def audit(lock: Path) -> tuple[list[str], int, int]:
    """(vulnerabilities found, packages audited, packages skipped) for one lock file."""
    command = [
        str(PIP_AUDIT),
        "--requirement",
        str(lock),
        "--no-deps",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--format",
        "json",
    ]
    try:
        done = subprocess.run(  # noqa: S603 (our own virtual environment's pip-audit)
            command, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return [], 0, -1
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"   pip-audit could not run on {lock.name}: {last}")
        return [], 0, -1
    found, audited, skipped = [], 0, 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped += 1
            continue
        audited += 1
        for vulnerability in dependency.get("vulns", []):
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version yet"
            found.append(
                f"{dependency['name']} {dependency['version']}: {vulnerability['id']} "
                f"(fixed in {fixed})"
            )
    return found, audited, skipped


def main() -> int:
    vulnerabilities: list[str] = []
    unreachable = []
    for lock in LOCKS:
        found, audited, skipped = audit(lock)
        vulnerabilities += found
        if skipped < 0 or (audited == 0 and skipped > 0):
            unreachable.append(lock.name)
            detail = "timed out or failed" if skipped < 0 else f"all {skipped} packages skipped"
            print(f"   {lock.name}: NOT AUDITED ({detail})")
        else:
            note = f", {skipped} skipped" if skipped else ""
            print(f"   {lock.name}: {audited} packages audited{note}, {len(found)} vulnerabilities")
    if vulnerabilities:
        print("Known vulnerabilities in the locked dependencies:")
        for line in vulnerabilities:
            print(f"   {line}")
        return 1
    if unreachable:
        print(
            "WARNING: pip-audit could not reach its vulnerability service (PyPI's JSON API) from "
            f"this machine, so {', '.join(unreachable)} went unchecked. This step does not fail "
            "for that; run it where the internet is reachable (see docs/security.md)."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
