"""Run in its own process on a SQLite file (tests/accounts/test_signin_throttle.py): 60 threads
try wrong passwords for one account from 60 addresses at once; prints what was checked.

The in-memory SQLite test database cannot take writers from several threads (shared cache
answers "table is locked" at once); a file, as Soutien runs on, queues them (IMMEDIATE)."""

from __future__ import annotations

import json
import threading

import django

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

from soutien.accounts import signin  # noqa: E402
from soutien.accounts.models import Organization, User  # noqa: E402
from soutien.core.errors import TooManyAttempts  # noqa: E402

THREADS = 60


def main() -> None:
    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Victimes inc.")
    victim = User(username="victim", email="victim@example.com", organization=org)
    victim.client_role = "contact"
    victim.set_password("correct-horse-battery")
    victim.save()
    connections.close_all()

    checks: list[str] = []
    original = User.check_password

    def counting(self: User, raw_password: str | None) -> bool:
        checks.append(self.username)
        return original(self, raw_password)

    User.check_password = counting  # type: ignore[method-assign]
    barrier = threading.Barrier(THREADS)
    answers: list[str] = []

    def attempt(n: int) -> None:
        request = RequestFactory().post("/api/v1/auth/token", REMOTE_ADDR=f"10.1.{n}.1")
        try:
            barrier.wait()
            signin.sign_in_at_once(
                username="victim", password=f"guess-{n}", otp=None, request=request
            )
            answers.append("signed in")
        except TooManyAttempts:
            answers.append("429")
        except signin.SignInRefused:
            answers.append("401")
        except Exception as exc:  # reported: the test fails on it
            answers.append(f"error: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    with time_machine.travel(timezone.now(), tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print("RESULT " + json.dumps({"checks": len(checks), "answers": sorted(answers)}))


if __name__ == "__main__":
    main()
