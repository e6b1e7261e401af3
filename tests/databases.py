"""A database of its own for code run in other processes (crash tests): a SQLite file, or a
fresh PostgreSQL database beside the test database, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from django.conf import settings


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
