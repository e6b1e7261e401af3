"""Soutien side by side with django-helpdesk and the bare-Django ceiling, in one run.

Everything runs on this machine against the local PostgreSQL: Soutien under `soutien serve`
(gunicorn, 2 worker processes, the background worker beside them), django-helpdesk 2.6.1 from
PyPI in its own virtualenv under bench/.work/ (gunicorn, 2 sync workers, API on, DRF tokens),
and a bare Django view doing one ORM INSERT (gunicorn, 2 sync workers) as the ceiling. Load
comes from wrk on loopback (4 connections, bounded in time). Sizes grow in place: data is added,
never regenerated, between 10k, 100k and 1M requests.

Run:  bench/run                      every scenario
      bench/run create queue         some of them
      bench/run --sizes 10000,100000 --duration 10
"""

from __future__ import annotations

import argparse
import base64
import http.cookiejar
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
SITES = BENCH / "sites"
VENV_BIN = ROOT / ".venv" / "bin"
HELPDESK_VENV = WORK / "helpdesk-venv"
PG = {"host": "127.0.0.1", "user": "postgres"}
SOUTIEN_DB = "soutien_bench"
HELPDESK_DB = "soutien_bench_helpdesk"
CEILING_DB = "soutien_bench_ceiling"
PORTS = {"soutien": 8101, "helpdesk": 8102, "ceiling": 8103}
CREATE_CONTACTS = 5_000
WARMUP_SECONDS = 3
# Soutien's measurements are each run this many times and the run of median rate reported:
# with 4 connections, the kernel sometimes hands all of them to one of the two web workers,
# which then does all the work on one core while the other idles (docs/performance.md).
REPEAT = 3
PASSWORD = "bench-password-1"  # noqa: S105 (loopback benchmark accounts)

sys.path.insert(0, str(BENCH))


@dataclass
class Result:
    scenario: str
    system: str
    size: int
    requests: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    worker_peak_mb: float = 0.0
    note: str = ""
    cpu_ms_per_request: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# --- processes -------------------------------------------------------------------------------


def _psql(database: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", "-h", PG["host"], "-U", PG["user"], "-d", database, "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def _fresh_database(name: str) -> None:
    _psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql("postgres", f'CREATE DATABASE "{name}"')


def _wait_http(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


class Server:
    """A process group started for the run and stopped at its end."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], cwd: Path, url: str) -> None:
        self.name, self.url = name, url
        port = urllib.parse.urlsplit(url).port
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port or 80)) == 0:
                # Another server would answer in this one's place and be measured instead.
                sys.exit(f"port {port} is in use: stop what listens there before a run")
        log = open(WORK / f"{name}.log", "ab")  # noqa: SIM115 (kept open with the process)
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=log, stderr=log, start_new_session=True
        )
        _wait_http(url)

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes in this group: those whose parent is a gunicorn too."""
        processes = _processes()

        def is_gunicorn(pid: int) -> bool:
            found = processes.get(pid)
            return (
                found is not None and found.group == self.proc.pid and "gunicorn" in found.command
            )

        return sorted(
            pid for pid, p in processes.items() if is_gunicorn(pid) and is_gunicorn(p.parent)
        )

    def peak_worker_mb(self) -> float:
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0.0)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def wrk(
    url: str,
    *,
    paths: list[str] | None = None,
    values: list[str] | None = None,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    duration: int,
    connections: int = 4,
    repeat: int = 1,
    before_each: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """Load `url` for `duration` seconds after a warm-up; with `repeat`, several times, and the
    run of median rate is returned (its "runs" lists every run's rate and summary)."""
    parts = urllib.parse.urlsplit(url)
    env = {
        **os.environ,
        "WRK_METHOD": method,
        "WRK_PATH": parts.path + (f"?{parts.query}" if parts.query else ""),
        "WRK_PATHS": "\n".join(paths or []),
        "WRK_VALUES": "\n".join(values or []),
    }
    if body is not None:
        env["WRK_BODY"] = body
    env["WRK_HEADERS"] = "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())
    base = f"{parts.scheme}://{parts.netloc}"

    def load(seconds: int) -> dict[str, Any]:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "60s",
                "-s",
                str(BENCH / "wrk" / "request.lua"),
                base,
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        summary: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return summary

    # Warm up, not measured: each worker's first requests load translations, templates, URL
    # patterns and connections (hundreds of milliseconds that would land in p99).
    load(WARMUP_SECONDS)
    runs = []
    for _ in range(repeat):
        if before_each is not None:
            before_each()
        before, wrk_before = _processes(), resource.getrusage(resource.RUSAGE_CHILDREN)
        summary: dict[str, Any] = load(duration)
        after, wrk_after = _processes(), resource.getrusage(resource.RUSAGE_CHILDREN)
        summary["cpu_s"] = {}
        for pid, now in after.items():
            spent = now.ticks - (before[pid].ticks if pid in before else 0)
            if spent > 0:
                summary["cpu_s"][pid] = (now.group, now.command, spent / CLOCK_TICKS)
        summary["wrk_cpu_s"] = (wrk_after.ru_utime + wrk_after.ru_stime) - (
            wrk_before.ru_utime + wrk_before.ru_stime
        )
        summary["rate"] = summary["requests"] / (summary["duration_us"] / 1e6)
        runs.append(summary)
    chosen = sorted(runs, key=lambda run: run["rate"])[len(runs) // 2]
    chosen["runs"] = runs
    return chosen


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Process:
    parent: int
    group: int
    ticks: int  # CPU time so far, user + system
    command: str


def _processes() -> dict[int, Process]:
    """Every process on the machine, as /proc shows it now."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry.name)] = Process(
            parent=int(fields[1]),
            group=int(fields[2]),
            ticks=int(fields[11]) + int(fields[12]),
            command=command,
        )
    return found


def _busy_workers(summary: dict[str, Any], server: Server) -> list[float]:
    """How busy each web worker process was during the load (1.0: a whole core)."""
    seconds = summary["duration_us"] / 1e6
    workers = set(server.worker_pids())
    return sorted(
        round(spent / seconds, 2)
        for pid, (_, _, spent) in summary["cpu_s"].items()
        if pid in workers
    )


def _cpu_per_request(summary: dict[str, Any], server: Server | None) -> dict[str, float]:
    """Milliseconds of CPU each request cost the web workers, the background worker, PostgreSQL,
    wrk and everything else on the machine, measured over the load."""
    spent = {"web": 0.0, "background worker": 0.0, "postgresql": 0.0, "other": 0.0}
    group = server.proc.pid if server is not None else None
    for process_group, command, seconds in summary["cpu_s"].values():
        if command.startswith("postgres"):
            spent["postgresql"] += seconds
        elif process_group == group and "gunicorn" in command:
            spent["web"] += seconds
        elif process_group == group and "soutien worker" in command:
            spent["background worker"] += seconds
        else:
            spent["other"] += seconds
    spent["wrk"] = summary["wrk_cpu_s"]
    requests = max(int(summary["requests"]), 1)
    return {name: round(1000 * seconds / requests, 2) for name, seconds in spent.items()}


def _record(result: Result, summary: dict[str, Any], server: Server | None) -> Result:
    result.requests = int(summary["requests"])
    result.seconds = summary["duration_us"] / 1e6
    result.rate = result.requests / result.seconds if result.seconds else 0.0
    result.p50_ms = summary["p50_us"] / 1000
    result.p95_ms = summary["p95_us"] / 1000
    result.p99_ms = summary["p99_us"] / 1000
    result.errors = int(summary["status_errors"] + summary["socket_errors"])
    if summary.get("first_error_status"):
        result.note = f"first error: HTTP {summary['first_error_status']}"
    if server is not None:
        result.worker_peak_mb = round(server.peak_worker_mb(), 1)
    result.cpu_ms_per_request = _cpu_per_request(summary, server)
    if server is not None:
        result.extra["web_workers_busy"] = _busy_workers(summary, server)
    runs = summary.get("runs", [])
    if len(runs) > 1:
        result.extra["rates_of_runs"] = [round(run["rate"], 1) for run in runs]
        result.extra["web_workers_busy_in_runs"] = [
            _busy_workers(run, server) for run in runs if server is not None
        ]
    print(
        f"  {result.scenario:<16} {result.system:<15} {result.size:>9,}  {result.rate:8.1f} req/s  "
        f"p50 {result.p50_ms:7.1f}  p95 {result.p95_ms:7.1f}  p99 {result.p99_ms:7.1f} ms  "
        f"errors {result.errors} {result.note}  worker peak {result.worker_peak_mb} MB\n"
        f"  {'':<16} CPU ms per request: "
        + ", ".join(f"{name} {ms}" for name, ms in result.cpu_ms_per_request.items())
        + (
            f"\n  {'':<16} runs: {result.extra['rates_of_runs']} req/s, web workers busy "
            f"{result.extra['web_workers_busy_in_runs']}"
            if "rates_of_runs" in result.extra
            else ""
        ),
        flush=True,
    )
    return result


# --- Soutien ---------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _login_cookie(base: str, login_path: str, username: str) -> str:
    """Sign in through the site's own form and return the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    opener.open(f"{base}{login_path}")
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    try:
        opener.open(
            urllib.request.Request(
                f"{base}{login_path}", data=data.encode(), headers={"Referer": base}
            )
        )
    except urllib.error.HTTPError as answer:
        if answer.code != 302:  # a successful sign-in redirects; we stay put
            raise
    if not any(c.name == "sessionid" for c in jar):
        raise RuntimeError(f"could not sign in at {base}{login_path}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Soutien:
    def __init__(self) -> None:
        from datagen import connect

        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{SOUTIEN_DB}",
            "SOUTIEN_DATA_DIR": str(WORK / "soutien-data"),
            "SECRET_KEY": "bench-only-soutien-secret-key-0123456789-abcdefghij",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "soutien.config.settings.prod",
            # As the anchors ran django-helpdesk: emails are rendered, stored and "sent" nowhere.
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "SOUTIEN_ACCESS_LOG": "0",
            # One token and one address make all the load: the API's per-client limits would
            # answer 429 after the first 600 requests of a minute.
            "SOUTIEN_API_RATE_PER_TOKEN": "1000000000",
            "SOUTIEN_API_RATE_PER_ADDRESS": "1000000000",
        }
        os.environ.update({k: v for k, v in self.env.items() if k != "DJANGO_SETTINGS_MODULE"})
        connect(self.env["DATABASE_URL"], reset=True)
        self.size = 0
        self.server: Server | None = None
        self._accounts()

    def _accounts(self) -> None:
        from soutien.accounts.models import Organization, User
        from soutien.accounts.services import staff_create, token_issue

        self.staff = staff_create(
            username="bench-staff",
            email="staff@bench.example",
            full_name="Bench Staff",
            password=PASSWORD,
            levels=(1, 2, 3),
            support_manager=True,
        )
        # The load signs in with a password alone (a manager would be sent to set up two-factor).
        self.staff.second_factor_exempt = True
        self.staff.save(update_fields=["second_factor_exempt"])
        _, self.token = token_issue(user=self.staff, days=30)
        self.organization = Organization.objects.create(name="API (benchmark)")
        contact = User(
            username="bench-api-contact",
            email="api@bench.example",
            organization=self.organization,
            client_role="contact",
            full_name="API Contact",
        )
        contact.set_unusable_password()
        contact.save()
        self.contact = contact
        # Requests created through the API are filed by many contacts in turn, as in real life:
        # each gets its acknowledgement (one contact filing thousands an hour would hit the
        # rate limit of automatic answers, and no email would be queued nor sent).
        unusable = contact.password
        User.objects.bulk_create(
            User(
                username=f"bench-api-contact-{n}",
                email=f"api-{n}@bench.example",
                organization=self.organization,
                client_role="contact",
                full_name=f"API Contact {n}",
                password=unusable,
            )
            for n in range(CREATE_CONTACTS)
        )
        self.contact_ids = list(
            User.objects.filter(organization=self.organization).values_list("pk", flat=True)
        )

    def grow(self, size: int) -> float:
        from datagen import Shape, generate
        from soutien.sla.services import recompute_open_tickets
        from soutien.ticketing.models import Ticket

        began = time.perf_counter()
        if size > self.size:
            generate(Shape(size - self.size), quiet=False)
            recompute_open_tickets()
            # Generated requests are days old: their warnings and breach notices would all fall
            # due at once and keep the background worker busy during the measurements.
            Ticket.objects.filter(sla_next_alert_at__isnull=False).update(sla_next_alert_at=None)
            # Setting the due times left a dead version of every row: vacuum now rather than
            # let autovacuum do it during the measurements.
            _psql(SOUTIEN_DB, "VACUUM ANALYZE")
            self.size = size
        return time.perf_counter() - began

    def detail_ticket(self) -> int:
        """A request with 20 messages (replies, notes, calls, client messages)."""
        from datetime import timedelta

        from django.utils import timezone

        from soutien.ticketing import services
        from soutien.ticketing.models import MessageKind

        if getattr(self, "_detail", None):
            return self._detail
        ticket = services.ticket_create(
            actor=self.staff,
            organization=self.organization,
            contact=self.contact,
            subject="Vingt messages",
            body="Une longue conversation.",
            channel="email",
            received_at=timezone.now() - timedelta(days=1),
        )
        for n in range(20):
            kind = [MessageKind.CLIENT, MessageKind.REPLY, MessageKind.NOTE][n % 3]
            author = self.contact if kind == MessageKind.CLIENT else self.staff
            services.message_add(
                actor=author, ticket=ticket, kind=kind, body=f"Message {n} " + "texte " * 40
            )
        self._detail = ticket.pk
        return ticket.pk

    def drain(self, timeout: float = 600) -> tuple[int, float]:
        """Wait until the background worker has sent every queued email; (sent, seconds)."""
        from soutien.outbound.models import OutboundEmail

        waiting = OutboundEmail.objects.filter(
            status__in=(OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING)
        )
        began = time.perf_counter()
        sent_before = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()
        while waiting.exists() and time.perf_counter() - began < timeout:
            time.sleep(0.5)
        sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()
        return sent - sent_before, time.perf_counter() - began

    def start(self) -> Server:
        if self.server is None:
            self.server = Server(
                "soutien",
                [
                    str(VENV_BIN / "soutien"),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(PORTS["soutien"]),
                    "--workers",
                    "2",
                ],
                self.env,
                ROOT,
                f"http://127.0.0.1:{PORTS['soutien']}/healthz",
            )
        return self.server

    def session_cookie(self) -> str:
        return _login_cookie(f"http://127.0.0.1:{PORTS['soutien']}", "/connexion/", "bench-staff")


# --- django-helpdesk and the ceiling --------------------------------------------------------


def _ensure_helpdesk_venv() -> None:
    if (HELPDESK_VENV / "bin" / "gunicorn").exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(HELPDESK_VENV)], check=True)
    subprocess.run(
        [
            str(HELPDESK_VENV / "bin" / "pip"),
            "install",
            "-q",
            "django-helpdesk==2.6.1",
            "gunicorn",
            "psycopg[binary]",
        ],
        check=True,
    )


class Helpdesk:
    def __init__(self) -> None:
        _ensure_helpdesk_venv()
        _fresh_database(HELPDESK_DB)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(SITES),
            "DJANGO_SETTINGS_MODULE": "helpdesk_site.settings",
            "HELPDESK_DB": HELPDESK_DB,
        }
        self.python = str(HELPDESK_VENV / "bin" / "python")
        subprocess.run(
            [self.python, "-m", "django", "migrate", "-v", "0"], env=self.env, check=True, cwd=SITES
        )
        script = (
            "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token;"
            "from helpdesk.models import Queue;"
            f"u = User.objects.create_superuser('bench', 'bench@example.com', '{PASSWORD}');"
            "print(Token.objects.create(user=u).key);"
            "q = Queue.objects.create(title='Support', slug='support');"
            "print(q.pk); print(u.pk)"
        )
        out = subprocess.run(
            [self.python, "-m", "django", "shell", "-c", script],
            env=self.env,
            check=True,
            cwd=SITES,
            capture_output=True,
            text=True,
        ).stdout.split()
        self.token, self.queue_id, self.user_id = out[-3], int(out[-2]), int(out[-1])
        self.size = 0
        self.server: Server | None = None

    def grow(self, size: int) -> float:
        """Tickets in one INSERT ... SELECT generate_series, as the anchors seeded them."""
        began = time.perf_counter()
        if size > self.size:
            _psql(
                HELPDESK_DB,
                f"""
                INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status, on_hold,
                    description, resolution, priority, queue_id, secret_key, assigned_to_id)
                SELECT 'Ticket ' || n, now() - (n || ' minutes')::interval, now(), 'client' || (n % 500) || '@example.com',
                       1 + (n % 4), false, 'Description ' || n, '', 1 + (n % 5), {self.queue_id},
                       md5(n::text), CASE WHEN n % 3 = 0 THEN {self.user_id} END
                FROM generate_series({self.size + 1}, {size}) AS g(n)
            """,
            )
            _psql(HELPDESK_DB, "ANALYZE")
            self.size = size
        return time.perf_counter() - began

    def start(self) -> Server:
        if self.server is None:
            self.server = Server(
                "helpdesk",
                [
                    str(HELPDESK_VENV / "bin" / "gunicorn"),
                    "helpdesk_site.wsgi",
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{PORTS['helpdesk']}",
                    "--timeout",
                    "30",
                ],
                self.env,
                SITES,
                f"http://127.0.0.1:{PORTS['helpdesk']}/login/",
            )
        return self.server


class Ceiling:
    def __init__(self) -> None:
        _fresh_database(CEILING_DB)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(SITES),
            "DJANGO_SETTINGS_MODULE": "ceiling.settings",
            "CEILING_DB": CEILING_DB,
        }
        subprocess.run(
            [str(VENV_BIN / "python"), "-m", "django", "migrate", "-v", "0"],
            env=self.env,
            check=True,
            cwd=SITES,
        )
        self.server = Server(
            "ceiling",
            [
                str(VENV_BIN / "gunicorn"),
                "ceiling.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{PORTS['ceiling']}",
            ],
            self.env,
            SITES,
            f"http://127.0.0.1:{PORTS['ceiling']}/insert",
        )


# --- scenarios -------------------------------------------------------------------------------


def scenario_create(soutien: Soutien, helpdesk: Helpdesk, duration: int) -> list[Result]:
    results = []
    server = soutien.start()
    body = json.dumps(
        {
            "organization": soutien.organization.pk,
            "contact": "{v}",
            "subject": "Nouvelle demande {n}",
            "body": "Le message d'erreur 5021 apparaît à l'enregistrement.",
            "channel": "email",
        }
    )
    summary = wrk(
        f"http://127.0.0.1:{PORTS['soutien']}/api/v1/tickets",
        method="POST",
        body=body.replace('"{v}"', "{v}"),
        values=[str(pk) for pk in soutien.contact_ids],
        duration=duration,
        repeat=REPEAT,
        before_each=soutien.drain,
        headers={"Authorization": f"Bearer {soutien.token}", "Content-Type": "application/json"},
    )
    results.append(_record(Result("create", "soutien", soutien.size), summary, server))
    # The acknowledgements are sent by the background worker after the load: wait for it, so
    # that it does not share the machine with the next measurements.
    sent, waited = soutien.drain()
    results[-1].extra |= {
        "acknowledgements_sent_after_load": sent,
        "drain_seconds": round(waited, 1),
    }
    print(f"  (the background worker sent the last {sent} acknowledgements in {waited:.1f} s)")
    # As autovacuum would by then: the load left thousands of dead task and email rows behind.
    _psql(SOUTIEN_DB, "VACUUM ANALYZE")
    hd = helpdesk.start()
    hd_body = json.dumps(
        {
            "queue": helpdesk.queue_id,
            "title": "Ticket {n}",
            "description": "Erreur 5021",
            "submitter_email": "client@example.com",
            "priority": 3,
        }
    )
    summary = wrk(
        f"http://127.0.0.1:{PORTS['helpdesk']}/api/tickets/",
        method="POST",
        body=hd_body,
        duration=duration,
        headers={"Authorization": f"Token {helpdesk.token}", "Content-Type": "application/json"},
    )
    results.append(_record(Result("create", "django-helpdesk", helpdesk.size), summary, hd))
    ceiling = Ceiling()
    try:
        summary = wrk(
            f"http://127.0.0.1:{PORTS['ceiling']}/insert",
            method="POST",
            body=json.dumps({"subject": "Ticket {n}", "body": "x"}),
            duration=duration,
            headers={"Content-Type": "application/json"},
        )
        results.append(
            _record(
                Result("create", "ceiling", 0, note="bare Django, one ORM INSERT"),
                summary,
                ceiling.server,
            )
        )
    finally:
        ceiling.server.stop()
    return results


def scenario_queue(soutien: Soutien, helpdesk: Helpdesk, size: int, duration: int) -> list[Result]:
    results = []
    server = soutien.start()
    auth = {"Authorization": f"Bearer {soutien.token}"}
    api = f"http://127.0.0.1:{PORTS['soutien']}/api/v1/tickets?level=2&status=new,open,waiting&ordering=sla_due&page_size=25"
    results.append(
        _record(
            Result("queue api", "soutien", size),
            wrk(api, headers=auth, duration=duration, repeat=REPEAT),
            server,
        )
    )
    page = f"http://127.0.0.1:{PORTS['soutien']}/console/?queue=2&sort=due"
    cookie = {"Cookie": soutien.session_cookie()}
    results.append(
        _record(
            Result("queue page", "soutien", size),
            wrk(page, headers=cookie, duration=duration, repeat=REPEAT),
            server,
        )
    )
    if size <= 100_000:
        hd = helpdesk.start()
        query = base64.b64encode(
            json.dumps(
                {
                    "filtering": {"status__in": [1, 2]},
                    "sorting": "created",
                    "search_string": "",
                    "sortreverse": False,
                }
            ).encode()
        ).decode()
        rows = f"http://127.0.0.1:{PORTS['helpdesk']}/datatables_ticket_list/{query}?draw=1&start=0&length=25"
        token = {"Authorization": f"Token {helpdesk.token}"}
        # The staff list is a session page (helpdesk_staff_member_required), not a token one.
        session = {
            "Cookie": _login_cookie(f"http://127.0.0.1:{PORTS['helpdesk']}", "/login/", "bench")
        }
        results.append(
            _record(
                Result("staff rows", "django-helpdesk", size),
                wrk(rows, headers=session, duration=duration),
                hd,
            )
        )
        if size <= 10_000:
            listing = f"http://127.0.0.1:{PORTS['helpdesk']}/api/tickets/"
            results.append(
                _record(
                    Result("queue api", "django-helpdesk", size),
                    wrk(listing, headers=token, duration=duration),
                    hd,
                )
            )
    return results


def scenario_detail(soutien: Soutien, duration: int) -> list[Result]:
    server = soutien.start()
    ticket = soutien.detail_ticket()
    auth = {"Authorization": f"Bearer {soutien.token}"}
    base = f"http://127.0.0.1:{PORTS['soutien']}"
    return [
        _record(
            Result("detail api", "soutien", soutien.size),
            wrk(
                f"{base}/api/v1/tickets/{ticket}/messages",
                headers=auth,
                duration=duration,
                repeat=REPEAT,
            ),
            server,
        ),
        _record(
            Result("detail page", "soutien", soutien.size),
            wrk(
                f"{base}/console/demandes/{ticket}/",
                headers={"Cookie": soutien.session_cookie()},
                duration=duration,
                repeat=REPEAT,
            ),
            server,
        ),
    ]


KB_ARTICLES = 50_000


def scenario_kb(soutien: Soutien, duration: int) -> list[Result]:
    """Knowledge-base search through the API on the KB benchmark's 50,000 articles."""
    import random

    import kb_search
    from soutien.kb.models import Article

    if not Article.objects.exists():
        kb_search.generate(KB_ARTICLES, seed=2026)
    server = soutien.start()
    rng = random.Random(7)
    paths = [
        "/api/v1/kb/search?" + urllib.parse.urlencode({"q": q, "lang": rng.choice(["fr", "en"])})
        for q in kb_search.queries(rng, 500)
    ]
    summary = wrk(
        f"http://127.0.0.1:{PORTS['soutien']}/api/v1/kb/search",
        paths=paths,
        headers={"Authorization": f"Bearer {soutien.token}"},
        duration=duration,
        repeat=REPEAT,
    )
    return [_record(Result("kb search", "soutien", KB_ARTICLES, note="articles"), summary, server)]


def _ratio_lines(results: list[Result]) -> list[str]:
    by = {(r.scenario, r.system, r.size): r for r in results}
    lines = []
    creates = {r.system: r for r in results if r.scenario == "create"}
    if {"soutien", "django-helpdesk", "ceiling"} <= creates.keys():
        ours, theirs, ceiling = creates["soutien"], creates["django-helpdesk"], creates["ceiling"]
        lines.append(
            f"create: {ours.rate / theirs.rate:.1f}x django-helpdesk, "
            f"{100 * ours.rate / ceiling.rate:.0f} % of the one-INSERT ceiling"
        )
    for (scenario, system, size), ours in by.items():
        if system != "soutien" or scenario not in ("queue page", "queue api"):
            continue
        theirs = by.get(("staff rows", "django-helpdesk", size))
        if theirs and theirs.rate:
            lines.append(
                f"{scenario} at {size:,}: {ours.rate / theirs.rate:.0f}x django-helpdesk's staff list"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Soutien side by side with django-helpdesk and the ceiling."
    )
    parser.add_argument("scenarios", nargs="*", default=["create", "queue", "detail", "kb"])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per measurement")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = datetime.now(UTC)
    soutien = Soutien()
    helpdesk = Helpdesk()
    results: list[Result] = []
    timings: dict[str, float] = {}
    try:
        for size in sizes:
            print(f"\n== {size:,} requests", flush=True)
            timings[f"soutien data to {size}"] = soutien.grow(size)
            if size <= 100_000:
                timings[f"helpdesk data to {size}"] = helpdesk.grow(size)
            if "create" in args.scenarios and size == sizes[0]:
                results += scenario_create(soutien, helpdesk, args.duration)
            if "queue" in args.scenarios:
                results += scenario_queue(soutien, helpdesk, size, args.duration)
            if "detail" in args.scenarios and size == sizes[-1]:
                results += scenario_detail(soutien, args.duration)
            if "kb" in args.scenarios and size == sizes[-1]:
                results += scenario_kb(soutien, args.duration)
    finally:
        for server in (soutien.server, helpdesk.server):
            if server is not None:
                server.stop()
    print("\n" + "\n".join(_ratio_lines(results)))
    report = {
        "started": started.isoformat(),
        "command": " ".join(["bench/run", *sys.argv[1:]]),
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "results": [asdict(r) for r in results],
        "ratios": _ratio_lines(results),
    }
    out = WORK / "results.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
