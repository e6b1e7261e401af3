"""Database helpers every app shares: a row locked or a clear 404, and when the database is busy."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import OperationalError
from django.db.models import Model
from django.utils.translation import gettext as _

from soutien.core.errors import NotFound

M = TypeVar("M", bound=Model)

# PostgreSQL error classes that mean "not now" rather than "wrong": connection lost or refused,
# too many connections, a lock or statement timeout, the server shutting down.
_PG_UNAVAILABLE = ("08", "53", "55P03", "57014", "57P01", "57P02", "57P03")


def lock_row(model: type[M], pk: int) -> M:
    """The row, locked until the transaction ends; NotFound if someone deleted it meanwhile.

    A service loads a row, then locks it to change it: between the two another request may
    have deleted it, and that is a 404 for the caller, not a crash.
    """
    row = model._default_manager.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound(
            _("Not found: it was deleted in the meantime (%(name)s).")
            % {"name": model._meta.verbose_name}
        )
    return row


def is_unavailable(exc: BaseException) -> bool:
    """Whether a database error means it is busy or unreachable (try again), not a bug."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code:
        return str(code).startswith(_PG_UNAVAILABLE)
    message = str(exc).lower()
    return (
        any(
            word in message
            for word in ("database is locked", "database table is locked", "busy", "unable to open")
        )
        or "connection" in message
    )


def retry_after_seconds() -> int:
    """What a busy answer tells the client to wait before trying again (`Retry-After`)."""
    return max(1, int(getattr(settings, "SOUTIEN_DB_BUSY_SECONDS", 5)))
