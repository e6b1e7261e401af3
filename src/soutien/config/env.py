"""The only reader of environment variables: typed helpers used by the settings modules."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    """A string variable, else the content of the file named by `NAME_FILE` (container secrets)."""
    value = os.environ.get(name)
    if value is not None:
        return value
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return default


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """Where the embedded database, the secret key and the uploaded files live."""
    path = Path(env("SOUTIEN_DATA_DIR", str(Path.cwd() / "var"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """`SECRET_KEY` from the environment, or one generated on first run and kept in the data dir."""
    value = env("SECRET_KEY")
    if value:
        return value
    key_file = directory / "secret_key"
    try:
        return key_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    # Written aside then hard-linked into place: when two processes start at once, exactly one
    # key wins and both read it complete.
    tmp = directory / f".secret_key.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(50))
    try:
        os.link(tmp, key_file)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return key_file.read_text(encoding="utf-8").strip()


def settings_module(default: str) -> None:
    """Name the settings module Django loads, unless DJANGO_SETTINGS_MODULE already does."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)


def set_default(name: str, value: str) -> None:
    """Give a variable a value for this process unless the environment already gives one."""
    os.environ.setdefault(name, value)


@dataclass(frozen=True)
class ServeDefaults:
    """`soutien serve`'s options when not given on the command line."""

    host: str
    port: int
    workers: int
    threads: int
    worker_class: str
    access_log: bool
    reuse_port: bool


def serve_defaults() -> ServeDefaults:
    return ServeDefaults(
        host=env("SOUTIEN_HOST", "127.0.0.1"),
        port=envint("SOUTIEN_PORT", 8000),
        workers=envint("SOUTIEN_WEB_WORKERS", 2),
        threads=envint("SOUTIEN_WEB_THREADS", 4),
        worker_class=env("SOUTIEN_WEB_WORKER_CLASS", "gthread"),
        access_log=envbool("SOUTIEN_ACCESS_LOG", True),
        reuse_port=envbool("SOUTIEN_REUSE_PORT", True),
    )
