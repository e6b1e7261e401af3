"""The `soutien` command: serve, worker, demo, and every Django management command."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence

from soutien.config import env

DEFAULT_SETTINGS = "soutien.config.settings.prod"
LOOPBACK_OR_ANY = ("127.0.0.1", "0.0.0.0", "::", "::1")  # noqa: S104 (a comparison)

USAGE = """\
soutien serve [--host H] [--port P]   run the web server and a background worker
soutien worker                        run a background worker alone
soutien demo                          load demo data and print the logins
soutien <django command> ...          any Django management command (migrate, createsuperuser, ...)
"""


def _setup() -> None:
    env.settings_module(DEFAULT_SETTINGS)
    import django

    django.setup()


def _manage(*argv: str) -> None:
    from django.core.management import call_command

    call_command(*argv)


def _prepare() -> None:
    """Apply pending migrations and gather static files, so a fresh data dir just works."""
    _setup()
    _manage("migrate", "--noinput", "-v", "0")
    _manage("collectstatic", "--noinput", "-v", "0")


class Supervisor:
    """Keeps the web server and the worker running together as one process group."""

    def __init__(self, web: list[str], worker: list[str]) -> None:
        self.web_cmd, self.worker_cmd = web, worker
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.web = subprocess.Popen(self.web_cmd)
        self.worker = subprocess.Popen(self.worker_cmd)
        restarts: list[float] = []
        try:
            while not self.stopping:
                time.sleep(0.5)
                if self.web.poll() is not None:
                    return self.web.returncode or 0
                if self.worker.poll() is not None:
                    now = time.monotonic()
                    restarts = [t for t in restarts if now - t < 60] + [now]
                    print(f"soutien: worker stopped (code {self.worker.returncode}); restarting it")
                    # A worker that cannot stay up is retried gently, not in a tight loop.
                    time.sleep(min(30, 2 ** min(len(restarts), 5)))
                    self.worker = subprocess.Popen(self.worker_cmd)
            return 0
        finally:
            self._terminate()

    def _terminate(self) -> None:
        children = [p for p in (self.web, self.worker) if p is not None and p.poll() is None]
        for child in children:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()


def _port_is_free(host: str, port: int) -> None:
    """Stop with a clear message if something already listens on the port.

    The web processes share the port through SO_REUSEPORT, which would also let them share it,
    silently, with a Soutien left running from before: it would answer half the connections.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        sys.exit(f"soutien serve: cannot listen on {host}: {exc}")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            sys.exit(f"soutien serve: port {port} on {host} is already in use ({exc.strerror}).")


def serve(argv: Sequence[str]) -> int:
    defaults = env.serve_defaults()
    parser = argparse.ArgumentParser(prog="soutien serve")
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port)
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument(
        "--worker-class",
        default=defaults.worker_class,
        help="gunicorn worker class: gthread (threads per process) or sync",
    )
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        default=not defaults.access_log,
        help="do not log each request",
    )
    parser.add_argument(
        "--reuse-port",
        action=argparse.BooleanOptionalAction,
        default=defaults.reuse_port,
        help="each web process listens on its own socket and the kernel spreads new "
        "connections over them (default: on)",
    )
    parser.add_argument("--no-worker", action="store_true", help="do not start a background worker")
    args = parser.parse_args(argv)
    _port_is_free(args.host, args.port)
    _prepare()
    from django.conf import settings

    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "soutien.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        *([] if args.no_access_log else ["--access-logfile", "-"]),
        *(["--reuse-port"] if args.reuse_port else []),
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
    ]
    worker = [sys.executable, "-m", "soutien", "worker"]
    shown_host = "localhost" if args.host in LOOPBACK_OR_ANY else args.host
    engine = str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]
    print(f"Soutien is starting at http://{shown_host}:{args.port}/  (database: {engine})")
    sys.stdout.flush()
    if args.no_worker:
        # Become gunicorn: signals reach it directly and nothing is left behind.
        os.execv(web[0], web)  # noqa: S606
    return Supervisor(web, worker).run()


def worker(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="soutien worker")
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between polls when idle"
    )
    parser.add_argument("--queue", action="append", help="queue to serve (default: default)")
    args = parser.parse_args(argv)
    _setup()
    from soutien.core import worker as background

    background.run(interval=args.interval, queues=args.queue)
    return 0


def demo(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="soutien demo")
    parser.add_argument("--url", default=None, help="the address to print (default: SITE_URL)")
    args = parser.parse_args(argv)
    _prepare()
    from django.conf import settings

    from soutien.demo import load_demo

    logins = load_demo()
    url = args.url or settings.SITE_URL + "/"
    print(f"\nSoutien demo data is ready. Open {url}")
    print("Demo logins (password for all: demo):")
    for username, role in logins:
        print(f"  {username:<14} {role}")
    print(
        "Managers and administrators must use two-factor sign-in; these demo accounts are"
        " exempt (real ones are sent to set it up after their password)."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        if argv:
            return 0
        return 2
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    if command == "worker":
        return worker(rest)
    if command == "demo":
        return demo(rest)
    env.settings_module(DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["soutien", command, *rest])
    return 0
