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
from soutien.workspace import selectors as workspace_selectors
from soutien.workspace import services as workspace_services
from soutien.workspace.models import Macro, SavedView

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


# --- saved views ------------------------------------------------------------------------------

views_router = Router(tags=["workspace"])


class ViewIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    shared: bool = False
    params: dict[str, str | int] = Field(
        default_factory=dict,
        description="The filters of GET /tickets: q, status, level, organization, assignee,"
        " channel, received_from, received_to, sla, ordering (default sla_due).",
    )


class ViewOut(Schema):
    id: int
    name: str
    shared: bool
    owner: int
    params: dict[str, str]
    count: int


def _view_json(view: SavedView, count: int) -> dict[str, object]:
    return {
        "id": view.pk,
        "name": view.name,
        "shared": view.shared,
        "owner": view.owner_id,
        "params": view.params,
        "count": count,
    }


@views_router.get("", response=list[ViewOut], summary="Saved views, with their counts")
def list_views(request: HttpRequest) -> list[dict[str, object]]:
    actor = caller(request)
    views = list(workspace_selectors.views_for(actor))
    counts = workspace_selectors.view_counts(actor, views)
    return [_view_json(view, counts[view.pk]) for view in views]


@views_router.post("", response={201: ViewOut}, summary="Save a view")
def create_view(request: HttpRequest, payload: ViewIn) -> Status[dict[str, object]]:
    actor = caller(request)
    view = workspace_services.view_save(
        actor=actor, name=payload.name, params=dict(payload.params), shared=payload.shared
    )
    counts = workspace_selectors.view_counts(actor, [view])
    return Status(201, _view_json(view, counts[view.pk]))


@views_router.delete("/{view_id}", response={204: None}, summary="Delete a view")
def delete_view(request: HttpRequest, view_id: Id) -> HttpResponse:
    actor = caller(request)
    workspace_services.view_delete(actor=actor, view=workspace_selectors.view_for(actor, view_id))
    return HttpResponse(status=204)


# --- macros -----------------------------------------------------------------------------------

macros_router = Router(tags=["workspace"])


class MacroIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    body_fr: LongText
    body_en: LongText
    set_status: Literal["", "new", "open", "waiting", "resolved", "closed"] = ""
    set_level: Literal[1, 2, 3] | None = None
    shared: bool = False


class MacroOut(Schema):
    id: int
    name: str
    body_fr: str
    body_en: str
    set_status: str
    set_level: int | None
    shared: bool
    owner: int

    @staticmethod
    def resolve_owner(obj: Macro) -> int:
        return obj.owner_id


class MacroUse(Schema):
    body: LongText | None = Field(
        None, description="The text as edited; by default the macro's, filled in."
    )


class MacroText(Schema):
    text: str


@macros_router.get("", response=list[MacroOut], summary="Canned answers")
def list_macros(request: HttpRequest) -> list[Macro]:
    return list(workspace_selectors.macros_for(caller(request)))


@macros_router.post("", response={201: MacroOut}, summary="Write a canned answer")
def create_macro(request: HttpRequest, payload: MacroIn) -> Status[Macro]:
    return Status(201, workspace_services.macro_save(actor=caller(request), **payload.model_dump()))


@macros_router.delete("/{macro_id}", response={204: None}, summary="Delete a canned answer")
def delete_macro(request: HttpRequest, macro_id: Id) -> HttpResponse:
    actor = caller(request)
    workspace_services.macro_delete(
        actor=actor, macro=workspace_selectors.macro_for(actor, macro_id)
    )
    return HttpResponse(status=204)


@router.get(
    "/{ticket_id}/macros/{macro_id}", response=MacroText, summary="A macro filled in for a request"
)
def macro_preview(request: HttpRequest, ticket_id: Id, macro_id: Id) -> dict[str, str]:
    actor = caller(request)
    macro = workspace_selectors.macro_for(actor, macro_id)
    ticket = visible_ticket(actor, ticket_id)
    return {"text": workspace_selectors.macro_text(macro, ticket, actor)}


@router.post("/{ticket_id}/macros/{macro_id}", response={201: dict}, summary="Answer with a macro")
def macro_use(
    request: HttpRequest, ticket_id: Id, macro_id: Id, payload: MacroUse
) -> Status[dict[str, object]]:
    """A public reply with the macro's text in the client's language, then its status/level."""
    actor = caller(request)
    macro = workspace_selectors.macro_for(actor, macro_id)
    ticket = visible_ticket(actor, ticket_id)
    message = workspace_services.macro_apply(
        actor=actor, ticket=ticket, macro=macro, body=payload.body
    )
    return Status(
        201,
        {
            "message": message.pk,
            "ticket": ticket_json(visible_ticket(actor, ticket.pk), get_language() or "fr"),
        },
    )
