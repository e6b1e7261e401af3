"""Requests (tickets), their messages and attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator, Field

from soutien.accounts.models import Organization, User
from soutien.accounts.selectors import organizations_visible_to
from soutien.api.v1.common import (
    Id,
    LocalDateTime,
    LongText,
    Name,
    Page,
    PageNumber,
    PageSize,
    caller,
    no_nul,
    page_of,
)
from soutien.core.errors import InvalidInput, NotAllowed
from soutien.ticketing import finder, selectors, services
from soutien.ticketing.downloads import attachment_response
from soutien.ticketing.models import (
    Attachment,
    CallDirection,
    Message,
    MessageKind,
    Ticket,
)
from soutien.ticketing.services import Upload

router = Router(tags=["tickets"])

Subject = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(no_nul)]
ChannelName = Literal["web", "email", "phone", "fax"]
StatusName = Literal["new", "open", "waiting", "resolved", "closed"]


class SlaOut(Schema):
    first_response_due: LocalDateTime | None
    first_responded_at: LocalDateTime | None
    breached: bool | None
    governing_terms: str | None
    resolution_due: LocalDateTime | None = Field(
        None, description="When the request is promised resolved (an accepted agreement's date)."
    )
    resolution_terms: str | None = Field(
        None, description="What set the resolution target: the agreement and its version."
    )


class TicketOut(Schema):
    id: int
    number: str
    organization: int
    contact: int
    subject: str
    body: str
    channel: str
    kind: str
    received_at: LocalDateTime
    level: int | None
    assignee: int | None
    assignee_name: str | None
    status: str
    follows: int | None
    merged_into: int | None = Field(
        None, description="The request this duplicate was merged into (it is then closed)."
    )
    created_at: LocalDateTime
    updated_at: LocalDateTime
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    sla: SlaOut

    @staticmethod
    def resolve_organization(obj: Ticket) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_contact(obj: Ticket) -> int:
        return obj.contact_id

    @staticmethod
    def resolve_assignee(obj: Ticket) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_assignee_name(obj: Ticket) -> str | None:
        return obj.assignee.display_name if obj.assignee_id and obj.assignee else None

    @staticmethod
    def resolve_follows(obj: Ticket) -> int | None:
        return obj.follows_id

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_sla(obj: Ticket) -> dict[str, object]:
        return {
            "first_response_due": obj.first_response_due,
            "first_responded_at": obj.first_responded_at,
            "breached": obj.sla_breached() if obj.first_response_due else None,
            "governing_terms": obj.governing_terms(get_language()) or None,
            "resolution_due": obj.resolution_due,
            "resolution_terms": obj.resolution_terms_text(get_language()) or None,
        }


class TicketIn(Schema):
    organization: Id | None = Field(None, description="Defaults to the client's own organization.")
    contact: Id | None = Field(None, description="Defaults to the client filing the request.")
    subject: Subject
    body: LongText = ""
    channel: ChannelName = "web"
    received_at: datetime | None = Field(
        None, description="When the call, email or form arrived; only staff may give a past moment."
    )


class TicketPatch(Schema):
    level: Literal[1, 2, 3] | None = None
    assignee: Id | Literal["auto"] | None = Field(
        None, description='A technician id, "auto" for the least-loaded qualified one, or null.'
    )
    status: StatusName | None = None


class TicketFilters(Schema):
    q: str | None = Field(
        None,
        max_length=200,
        description="Words to find (number, subject, description, messages, contact,"
        ' organization, file names; French and English, stemmed): "a phrase", -excluded, or.',
    )
    status: str | None = Field(None, description="One status or several separated by commas.")
    level: Literal["1", "2", "3", "none"] | None = None
    organization: Id | None = None
    contact: Id | None = None
    assignee: str | None = Field(None, description='A technician id, "me" or "none".')
    kind: Literal["support", "training"] | None = None
    channel: ChannelName | None = None
    received_from: date | None = Field(None, description="Received on or after this day.")
    received_to: date | None = Field(None, description="Received on or before this day.")
    sla: Literal["breached", "at_risk"] | None = Field(
        None, description="First response late, or due within the hour and still awaited."
    )
    ordering: Literal[
        "sla_due", "-sla_due", "received_at", "-received_at", "updated_at", "-updated_at"
    ] = "-received_at"
    page: PageNumber = 1
    page_size: PageSize = 25


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    message: int | None
    created_at: LocalDateTime
    url: str

    @staticmethod
    def resolve_message(obj: Attachment) -> int | None:
        return obj.message_id

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}"


class MessageIn(Schema):
    body: Annotated[LongText, Field(min_length=1)]
    kind: Literal["reply", "note", "phone_call"] = "reply"
    at: datetime | None = Field(None, description="When it happened (a call's start).")
    duration_minutes: Annotated[int | None, Field(ge=1, le=24 * 60)] = None
    direction: Literal["inbound", "outbound"] | None = Field(
        None, description="For a phone call: who called whom (default: outbound, we called)."
    )
    caller: Name = ""
    seen_message_id: int | None = Field(
        None,
        ge=0,
        description=(
            "For a reply: the id of the last message the writer had read (0: none). If someone "
            "else replied, called or the client wrote since, the reply is not sent: 409 with "
            "`latest_message_id`; send it again with that id to send it anyway."
        ),
    )


class MessageOut(Schema):
    id: int
    ticket: int
    kind: str
    author: int
    author_name: str
    body: str
    at: LocalDateTime
    created_at: LocalDateTime
    direction: str | None
    duration_minutes: int | None
    caller: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_ticket(obj: Message) -> int:
        return obj.ticket_id

    @staticmethod
    def resolve_author(obj: Message) -> int:
        return obj.author_id

    @staticmethod
    def resolve_author_name(obj: Message) -> str:
        return obj.author.display_name

    @staticmethod
    def resolve_direction(obj: Message) -> str | None:
        return obj.call_direction or None

    @staticmethod
    def resolve_duration_minutes(obj: Message) -> int | None:
        return obj.call_duration_minutes

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Attachment]:
        return list(obj.attachments.all())


def _local(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def ticket_json(ticket: Ticket, language: str) -> dict[str, object]:
    """A request as `TicketOut` describes it, built directly (the hot path of lists and reads).

    Pydantic's validation of model attributes costs more than the queries of a page; a test
    checks that this stays exactly what `TicketOut` gives.
    """
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "organization": ticket.organization_id,
        "contact": ticket.contact_id,
        "subject": ticket.subject,
        "body": ticket.body,
        "channel": ticket.channel,
        "kind": ticket.kind,
        "received_at": _local(ticket.received_at),
        "level": ticket.level,
        "assignee": ticket.assignee_id,
        "assignee_name": ticket.assignee.display_name
        if ticket.assignee_id and ticket.assignee
        else None,
        "status": ticket.status,
        "follows": ticket.follows_id,
        "merged_into": ticket.merged_into_id,
        "created_at": _local(ticket.created_at),
        "updated_at": _local(ticket.updated_at),
        "resolved_at": _local(ticket.resolved_at),
        "closed_at": _local(ticket.closed_at),
        "sla": {
            "first_response_due": _local(ticket.first_response_due),
            "first_responded_at": _local(ticket.first_responded_at),
            "breached": ticket.sla_breached() if ticket.first_response_due else None,
            "governing_terms": ticket.governing_terms(language) or None,
            "resolution_due": _local(ticket.resolution_due),
            "resolution_terms": ticket.resolution_terms_text(language) or None,
        },
    }


def _json(data: object, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _ticket_qs(user: User) -> QuerySet[Ticket]:
    return selectors.tickets_visible_to(user).select_related("assignee")


def visible_ticket(user: User, ticket_id: int) -> Ticket:
    ticket = _ticket_qs(user).filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404
    return ticket


def _organization(user: User, organization_id: int) -> Organization:
    organization = organizations_visible_to(user).filter(pk=organization_id).first()
    if organization is None:
        raise Http404(_("Organization not found."))
    return organization


def _contact(user: User, organization_id: int, contact_id: int) -> User:
    """The contact with its organization, if both are visible to `user`; 404 otherwise."""
    contact = (
        User.objects.select_related("organization")
        .filter(pk=contact_id, organization_id=organization_id)
        .first()
    )
    if not user.is_staff_member and user.organization_id != organization_id:
        raise Http404(_("Organization not found."))
    if contact is None or (
        not user.is_staff_member and not user.is_client_admin and contact != user
    ):
        raise Http404(_("Contact not found."))
    return contact


def requester(
    actor: User, organization_id: int | None, contact_id: int | None
) -> tuple[Organization, User]:
    """The organization and contact a request is filed for (a client's own by default);
    404 for what the caller may not see."""
    organization_id = organization_id or actor.organization_id
    if organization_id is None:
        raise InvalidInput(_("Say which organization the request is for."), field="organization")
    if contact_id is not None:
        # One query for both: the contact, with its organization, if it belongs to it.
        contact = _contact(actor, organization_id, contact_id)
        assert contact.organization is not None
        return contact.organization, contact
    organization = _organization(actor, organization_id)
    if actor.organization_id != organization.pk:
        raise InvalidInput(_("Say which contact the request is from."), field="contact")
    return organization, actor


@router.post("", response={201: TicketOut}, summary="File a request")
def create_ticket(request: HttpRequest, payload: TicketIn) -> JsonResponse:
    actor = caller(request)
    organization, contact = requester(actor, payload.organization, payload.contact)
    ticket = services.ticket_create(
        actor=actor,
        organization=organization,
        contact=contact,
        subject=payload.subject,
        body=payload.body,
        channel=payload.channel,
        received_at=payload.received_at,
    )
    # The new request is the caller's to see; no need to read it back.
    return _json(ticket_json(ticket, get_language() or "fr"), status=201)


@router.get("", response=Page[TicketOut], summary="List and search requests")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> JsonResponse:
    actor = caller(request)
    given = filters.model_dump(exclude={"contact", "kind", "page", "page_size"})
    qs = finder.find(actor, finder.Filters.from_params(given)).select_related("assignee")
    if filters.contact:
        qs = qs.filter(contact_id=filters.contact)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    page = page_of(request, qs, page=filters.page, page_size=filters.page_size)
    language = get_language() or "fr"
    page["items"] = [ticket_json(ticket, language) for ticket in page["items"]]
    return _json(page)


@router.get("/{ticket_id}", response=TicketOut, summary="A request")
def get_ticket(request: HttpRequest, ticket_id: Id) -> JsonResponse:
    return _json(ticket_json(visible_ticket(caller(request), ticket_id), get_language() or "fr"))


@router.patch("/{ticket_id}", response=TicketOut, summary="Triage, assign or change status")
def patch_ticket(request: HttpRequest, ticket_id: Id, payload: TicketPatch) -> Ticket:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    given = payload.model_fields_set
    assignee: User | str | None = services.UNCHANGED
    if "assignee" in given:
        if payload.assignee == "auto":
            assignee = services.AUTOMATIC
        elif payload.assignee is not None:
            assignee = User.objects.filter(pk=payload.assignee).first()
            if assignee is None:
                raise InvalidInput(_("No such technician."), field="assignee")
        else:
            assignee = None
    ticket = services.ticket_update(
        actor=actor,
        ticket=ticket,
        level=payload.level if "level" in given else services.UNCHANGED,
        assignee=assignee,
        status=payload.status if "status" in given else services.UNCHANGED,
    )
    return visible_ticket(actor, ticket.pk)


@router.get("/{ticket_id}/messages", response=list[MessageOut], summary="A request's messages")
def list_messages(request: HttpRequest, ticket_id: Id) -> list[Message]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    return list(selectors.messages_visible_to(actor, ticket))


@router.post("/{ticket_id}/messages", response={201: MessageOut}, summary="Add a message")
def create_message(request: HttpRequest, ticket_id: Id, payload: MessageIn) -> Status[Message]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    kind = payload.kind if actor.is_staff_member else MessageKind.CLIENT
    if not actor.is_staff_member and payload.kind != "reply":
        raise NotAllowed(_("Clients can only add their own messages."))
    direction = ""
    if kind == MessageKind.PHONE_CALL:
        direction = payload.direction or CallDirection.OUTBOUND
    elif payload.direction:
        raise InvalidInput(
            _("Only a phone call has a direction and a duration."), field="direction"
        )
    message = services.message_add(
        actor=actor,
        ticket=ticket,
        kind=kind,
        body=payload.body,
        at=payload.at,
        call_direction=direction,
        duration_minutes=payload.duration_minutes,
        caller=payload.caller,
        seen_message_id=payload.seen_message_id if kind == MessageKind.REPLY else None,
    )
    return Status(201, selectors.messages_visible_to(actor, message.ticket).get(pk=message.pk))


@router.get(
    "/{ticket_id}/attachments", response=list[AttachmentOut], summary="A request's attachments"
)
def list_attachments(request: HttpRequest, ticket_id: Id) -> QuerySet[Attachment]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    return selectors.attachments_visible_to(actor).filter(ticket=ticket).order_by("id")


@router.post("/{ticket_id}/attachments", response={201: AttachmentOut}, summary="Attach a file")
def create_attachment(
    request: HttpRequest, ticket_id: Id, file: File[UploadedFile]
) -> Status[Attachment]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    upload = Upload(
        name=file.name or "",
        content=file,
        size=file.size or 0,
        content_type=file.content_type or "",
    )
    return Status(201, services.attachment_add(actor=actor, ticket=ticket, upload=upload))


attachments_router = Router(tags=["tickets"])


@attachments_router.get("/{attachment_id}", summary="Download an attachment")
def download_attachment(request: HttpRequest, attachment_id: Id) -> FileResponse:
    return attachment_response(selectors.attachment_for(caller(request), attachment_id))
