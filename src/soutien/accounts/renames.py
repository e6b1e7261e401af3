"""Who must hear that a person or an organization changed its name (the search across requests
holds their names): the domain registers a callback; the accounts services call `renamed` in
their transaction. Accounts knows nothing of who listens."""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[..., None]

_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    """`listener(organization_id=…, contact_id=…)`: one of them set, the other None."""
    if listener not in _listeners:
        _listeners.append(listener)


def renamed(*, organization_id: int | None = None, contact_id: int | None = None) -> None:
    for listener in _listeners:
        listener(organization_id=organization_id, contact_id=contact_id)
