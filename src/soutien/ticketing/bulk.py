"""Bulk actions on selected requests: each request in its own transaction, through the usual
services, so one refusal stops nothing else; the summary says what was done and what was
refused, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.accounts.permissions import require_staff
from soutien.core.errors import InvalidInput, ServiceError
from soutien.ticketing import services
from soutien.ticketing.merging import ticket_merge
from soutien.ticketing.models import MessageKind, Status, Ticket
from soutien.ticketing.selectors import tickets_visible_to

ACTIONS = ("assign", "level", "status", "note", "merge")
MAX_REQUESTS = 200


@dataclass(frozen=True)
class Outcome:
    ticket: int
    done: bool
    reason: str = ""


@dataclass
class Summary:
    action: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.done]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.done]


def bulk_apply(
    *,
    actor: User,
    ticket_ids: Sequence[int],
    action: str,
    level: int | None = None,
    assignee: User | str | None = None,
    status: str = "",
    note: str = "",
    into: Ticket | None = None,
) -> Summary:
    """Apply one action to each selected request, each in its own transaction.

    `assign`: `assignee` a technician, None (nobody) or `services.AUTOMATIC` (least-loaded);
    `level`: 1-3; `status`: a status; `note`: an internal note; `merge`: into `into`.
    """
    require_staff(actor)
    if action not in ACTIONS:
        raise InvalidInput(_("Unknown action: %(value)s.") % {"value": action}, field="action")
    ids = list(dict.fromkeys(ticket_ids))
    if not ids:
        raise InvalidInput(_("Select at least one request."), field="tickets")
    if len(ids) > MAX_REQUESTS:
        raise InvalidInput(
            _("Select at most %(count)s requests at a time.") % {"count": MAX_REQUESTS},
            field="tickets",
        )
    if action == "level" and level not in (1, 2, 3):
        raise InvalidInput(_("The level must be 1, 2 or 3."), field="level")
    if action == "status" and status not in Status.values:
        raise InvalidInput(_("Unknown status: %(value)s.") % {"value": status}, field="status")
    if action == "note" and not note.strip():
        raise InvalidInput(_("The message cannot be empty."), field="note")
    if action == "merge" and into is None:
        raise InvalidInput(_("Say which request to merge into."), field="into")
    found = tickets_visible_to(actor).in_bulk(ids)
    summary = Summary(action=action)
    for pk in ids:
        ticket = found.get(pk)
        if ticket is None:
            summary.outcomes.append(Outcome(pk, False, _("No such request.")))
            continue
        try:
            if action == "assign":
                services.ticket_update(actor=actor, ticket=ticket, assignee=assignee)
            elif action == "level":
                services.ticket_update(actor=actor, ticket=ticket, level=level)
            elif action == "status":
                services.ticket_update(actor=actor, ticket=ticket, status=status)
            elif action == "note":
                services.message_add(actor=actor, ticket=ticket, kind=MessageKind.NOTE, body=note)
            else:
                assert into is not None
                if ticket.pk == into.pk:
                    continue  # the request others are merged into is among the selected
                ticket_merge(actor=actor, duplicate=ticket, into=into)
        except ServiceError as error:
            summary.outcomes.append(Outcome(pk, False, error.message))
        else:
            summary.outcomes.append(Outcome(pk, True))
    return summary
