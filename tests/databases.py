"""A database of its own for code run in other processes (crash tests): a SQLite file, or a
fresh PostgreSQL database beside the test database, dropped afterwards; and the environment of
those processes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def own_database(tmp_path: Path, name: str) -> tuple[str, Callable[[], None] | None]:
    """(URL, drop) for a database named after the test database, `name` and this process."""
    url = str(settings.DATABASE_URL)
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}", None
    parts = urlparse(url)
    database = f"{parts.path.lstrip('/')}_{name}_{os.getpid()}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    return parts._replace(path=f"/{database}").geturl(), drop


def process_env(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a process run on that database with the test settings."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SOUTIEN_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "soutien.config.settings.test",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        **extra,
    }


def at_once(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs on their own connections, released together; their results or errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
