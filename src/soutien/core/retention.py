"""Retention of personal information: the kinds of record that expire, registered by their owners.

The privacy app sets a period per kind and runs the job; the app that owns the table says what
"delete" and "anonymize" mean for it and does the writing (no app writes another's tables). The
registry lives here, at the bottom of the layers, because every owner must reach it: accounts,
outbound, the domain apps and the mail channel alike (docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import Promise

DELETE = "delete"
ANONYMIZE = "anonymize"


@dataclass(frozen=True)
class Purger:
    """How one kind of record expires.

    `count(before, action)` says how many records older than `before` the action would touch,
    changing nothing (the dry run); `apply(before, action)` does it and returns how many it
    touched. `minimum_days`: a period shorter than this is refused (the law keeps some records
    longer); `actions`: what the owner knows how to do, the first being the default.
    """

    kind: str
    label: str | Promise
    count: Callable[[datetime, str], int]
    apply: Callable[[datetime, str], int]
    actions: tuple[str, ...] = (DELETE,)
    minimum_days: int = 1
    description: str | Promise = ""
    owner: str = field(default="", compare=False)


_purgers: dict[str, Purger] = {}


def register(purger: Purger) -> Purger:
    if not purger.actions or any(a not in (DELETE, ANONYMIZE) for a in purger.actions):
        raise ValueError(f"{purger.kind}: actions must be among {DELETE!r} and {ANONYMIZE!r}")
    _purgers[purger.kind] = purger
    return purger


def purgers() -> list[Purger]:
    return [_purgers[kind] for kind in sorted(_purgers)]


def purger_for(kind: str) -> Purger:
    try:
        return _purgers[kind]
    except KeyError:
        raise LookupError(f"no purger is registered for {kind!r}") from None


def deleting(
    *,
    kind: str,
    label: str | Promise,
    description: str | Promise,
    owner: str,
    rows: Callable[[datetime], QuerySet[Any]],
    minimum_days: int = 1,
) -> Purger:
    """Register a kind whose expired records are simply deleted: `rows(before)` selects them."""

    def apply(before: datetime, action: str) -> int:
        deleted, _rows = rows(before).delete()
        return deleted

    return register(
        Purger(
            kind=kind,
            label=label,
            description=description,
            count=lambda before, action: rows(before).count(),
            apply=apply,
            minimum_days=minimum_days,
            owner=owner,
        )
    )


def in_batches(
    rows: Callable[[], QuerySet[Any]], act: Callable[[list[int]], object], *, size: int
) -> int:
    """Apply `act` to the ids of `rows()`, a batch per transaction, until none is left.

    `rows()` must no longer select what `act` did (deleted, or anonymized and filtered out).
    Returns how many records were acted on.
    """
    done = 0
    while True:
        with transaction.atomic():
            ids = list(rows().values_list("pk", flat=True)[:size])
            if not ids:
                return done
            act(ids)
            done += len(ids)
