"""The technician's workspace: bulk actions, merging and linking requests, macros, saved views."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from soutien.accounts.models import User
from soutien.api.v1.common import Id, LongText, caller
from soutien.api.v1.tickets import TicketOut, _json, ticket_json, visible_ticket
from soutien.core.errors import InvalidInput
from soutien.ticketing import bulk, merging, services
from soutien.ticketing.selectors import tickets_visible_to

router = Router(tags=["tickets"])


class BulkIn(Schema):
    tickets: Annotated[list[Id], Field(min_length=1, max_length=bulk.MAX_REQUESTS)]
    action: Literal["assign", "level", "status", "note", "merge"]
    level: Literal[1, 2, 3] | None = None
    assignee: Id | Literal["auto"] | None = Field(
        None, description='For "assign": a technician id, "auto" (least-loaded) or null (nobody).'
    )
    status: Literal["new", "open", "waiting", "resolved", "closed"] | None = None
    note: LongText = Field("", description='For "note": the internal note added to each.')
    into: Id | None = Field(None, description='For "merge": the request the others go into.')


class Refusal(Schema):
    ticket: int
    reason: str


class BulkOut(Schema):
    action: str
    done: list[int]
    refused: list[Refusal]


class MergeIn(Schema):
    into: Id = Field(description="The request this one is a duplicate of.")


class LinkIn(Schema):
    other: Id


class LinkedOut(Schema):
    id: int
    number: str
    subject: str
    status: str


def _technician(value: int | str | None) -> User | str | None:
    if value == "auto":
        return services.AUTOMATIC
    if value is None:
        return None
    technician = User.objects.filter(pk=value).first()
    if technician is None:
        raise InvalidInput(_("No such technician."), field="assignee")
    return technician


@router.post("/bulk", response=BulkOut, summary="Act on several requests at once")
def bulk_action(request: HttpRequest, payload: BulkIn) -> dict[str, object]:
    """Each request in its own transaction: what was done, and what was refused and why."""
    actor = caller(request)
    into = visible_ticket(actor, payload.into) if payload.into else None
    summary = bulk.bulk_apply(
        actor=actor,
        ticket_ids=payload.tickets,
        action=payload.action,
        level=payload.level,
        assignee=_technician(payload.assignee),
        status=payload.status or "",
        note=payload.note,
        into=into,
    )
    return {
        "action": summary.action,
        "done": [o.ticket for o in summary.done],
        "refused": [{"ticket": o.ticket, "reason": o.reason} for o in summary.refused],
    }


@router.post("/{ticket_id}/merge", response=TicketOut, summary="Merge a duplicate into a request")
def merge(request: HttpRequest, ticket_id: Id, payload: MergeIn) -> JsonResponse:
    """Messages, files, time and history move to `into`; this one is closed and points there."""
    actor = caller(request)
    duplicate = visible_ticket(actor, ticket_id)
    into = visible_ticket(actor, payload.into)
    merging.ticket_merge(actor=actor, duplicate=duplicate, into=into)
    return _json(ticket_json(visible_ticket(actor, into.pk), get_language() or "fr"))


@router.get("/{ticket_id}/links", response=list[LinkedOut], summary="Related requests")
def links(request: HttpRequest, ticket_id: Id) -> list[dict[str, object]]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    return [
        {"id": t.pk, "number": t.number, "subject": t.subject, "status": t.status}
        for t in merging.linked_to(ticket, tickets_visible_to(actor))
    ]


@router.post("/{ticket_id}/links", response={201: LinkedOut}, summary="Link a related request")
def link(request: HttpRequest, ticket_id: Id, payload: LinkIn) -> Status[dict[str, object]]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    other = visible_ticket(actor, payload.other)
    merging.ticket_link(actor=actor, ticket=ticket, other=other)
    return Status(
        201,
        {"id": other.pk, "number": other.number, "subject": other.subject, "status": other.status},
    )


@router.delete("/{ticket_id}/links/{other_id}", response={204: None}, summary="Remove a link")
def unlink(request: HttpRequest, ticket_id: Id, other_id: Id) -> HttpResponse:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    other = visible_ticket(actor, other_id)
    if not merging.ticket_unlink(actor=actor, ticket=ticket, other=other):
        raise InvalidInput(_("These requests are not linked."), field="other")
    return HttpResponse(status=204)
