"""Time entries: work logged on a request, drawn from hour banks minute by minute."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.api.v1.common import Id, LocalDateTime, caller, no_nul
from soutien.api.v1.tickets import visible_ticket
from soutien.contracts import services
from soutien.contracts.models import Allocation, TimeEntry
from soutien.core.errors import NotAllowed

router = Router(tags=["time entries"])
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]
Note = Annotated[str, Field(max_length=10_000), AfterValidator(no_nul)]


class TimeEntryIn(Schema):
    started_at: datetime
    minutes: Minutes
    note: Note = ""


class TimeEntryPatch(Schema):
    started_at: datetime | None = None
    minutes: Minutes | None = None
    note: Note | None = None


class AllocationOut(Schema):
    bank: int
    minutes: int

    @staticmethod
    def resolve_bank(obj: Allocation) -> int:
        return obj.bank_id


class TimeEntryOut(Schema):
    id: int
    ticket: int
    technician: int
    started_at: LocalDateTime
    minutes: int
    note: str
    allocations: list[AllocationOut]
    overage_minutes: int
    billable: bool

    @staticmethod
    def resolve_ticket(obj: TimeEntry) -> int:
        return obj.ticket_id

    @staticmethod
    def resolve_technician(obj: TimeEntry) -> int:
        return obj.technician_id

    @staticmethod
    def resolve_allocations(obj: TimeEntry) -> list[Allocation]:
        return sorted(obj.allocations.all(), key=lambda a: a.bank_id)


def _entry(entry_id: int) -> TimeEntry:
    return TimeEntry.objects.prefetch_related("allocations").get(pk=entry_id)


@router.post(
    "/tickets/{ticket_id}/time-entries",
    response={201: TimeEntryOut},
    summary="Log work on a request",
)
def create_time_entry(
    request: HttpRequest, ticket_id: Id, payload: TimeEntryIn
) -> Status[TimeEntry]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    entry = services.time_entry_create(
        actor=actor,
        ticket=ticket,
        started_at=payload.started_at,
        minutes=payload.minutes,
        note=payload.note,
    )
    return Status(201, _entry(entry.pk))


@router.get(
    "/tickets/{ticket_id}/time-entries", response=list[TimeEntryOut], summary="A request's time"
)
def list_time_entries(request: HttpRequest, ticket_id: Id) -> list[TimeEntry]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    if not (actor.is_staff_member or actor.is_client_admin):
        raise NotAllowed(_("Only a client administrator can see the time used."))
    return list(ticket.time_entries.prefetch_related("allocations").order_by("started_at", "id"))


def _staff_entry(request: HttpRequest, entry_id: int) -> TimeEntry:
    actor = caller(request)
    if not actor.is_staff_member:
        raise Http404
    entry = TimeEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    return entry


@router.patch("/time-entries/{entry_id}", response=TimeEntryOut, summary="Correct a time entry")
def patch_time_entry(request: HttpRequest, entry_id: Id, payload: TimeEntryPatch) -> TimeEntry:
    entry = _staff_entry(request, entry_id)
    given = payload.model_fields_set
    entry = services.time_entry_update(
        actor=caller(request),
        entry=entry,
        started_at=payload.started_at if "started_at" in given else None,
        minutes=payload.minutes if "minutes" in given else None,
        note=payload.note if "note" in given else None,
    )
    return _entry(entry.pk)


@router.delete("/time-entries/{entry_id}", response={204: None}, summary="Delete a time entry")
def delete_time_entry(request: HttpRequest, entry_id: Id) -> Status[None]:
    services.time_entry_delete(actor=caller(request), entry=_staff_entry(request, entry_id))
    return Status(204, None)
