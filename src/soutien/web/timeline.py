"""A request's story as one list: messages and history entries in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from soutien.accounts.models import User
from soutien.ticketing.models import Attachment, Event, Message, Ticket
from soutien.ticketing.selectors import (
    history_of,
    messages_and_original_files,
    messages_visible_to,
)

# What a client is shown of the history; staff see every entry.
CLIENT_EVENTS = {
    Event.Action.CREATED,
    Event.Action.STATUS,
    Event.Action.ASSIGNED,
    Event.Action.FOLLOW_UP,
    Event.Action.RESOLUTION,
}
# ... and of the field changes, its rating and its satisfaction guarantee (invoked, decided).
CLIENT_FIELDS = ["satisfaction", "guarantee"]


@dataclass(frozen=True)
class Entry:
    at: datetime
    message: Message | None = None
    event: Event | None = None


def timeline(viewer: User, ticket: Ticket) -> list[Entry]:
    return _story(viewer, ticket, list(messages_visible_to(viewer, ticket)))


def timeline_and_files(viewer: User, ticket: Ticket) -> tuple[list[Entry], list[Attachment]]:
    """The timeline and the request's own files (those of no message), its messages' files
    and its own read in one query."""
    messages, files = messages_and_original_files(viewer, ticket)
    return _story(viewer, ticket, messages), files


def _story(viewer: User, ticket: Ticket, messages: list[Message]) -> list[Entry]:
    entries = [Entry(at=m.at, message=m) for m in messages]
    events = history_of(ticket)
    if not viewer.is_staff_member:
        # Of a development agreement, the client sees the steps it took part in.
        events = events.filter(
            Q(action__in=CLIENT_EVENTS)
            | Q(action=Event.Action.AGREEMENT, data__client=True)
            | Q(action=Event.Action.FIELD, data__field__in=CLIENT_FIELDS)
        )
    entries += [
        Entry(at=e.at, event=e)
        for e in events
        if e.action not in (Event.Action.MESSAGE, Event.Action.ATTACHMENT)
    ]
    entries.sort(key=lambda entry: (entry.at, entry.event is not None))
    return entries
