"""Level-3 development agreements: content and versions, transitions, milestones, documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.accounts.models import User
from soutien.agreements import roles, selectors, services
from soutien.agreements.dates import local_date
from soutien.agreements.models import Agreement, AgreementVersion, Delegate, State
from soutien.api.v1.common import (
    Id,
    LocalDateTime,
    LongText,
    Page,
    PageNumber,
    PageSize,
    caller,
    comma_list,
    no_nul,
    page_of,
)
from soutien.api.v1.tickets import visible_ticket
from soutien.core.errors import InvalidInput, NotAllowed
from soutien.kb.markdown import render as render_markdown

router = Router(tags=["agreements"])

# Wide enough for any mistake a person makes; the service says what is wrong, with the field.
Minutes = Annotated[int, Field(ge=-(2**31), le=2**31)]
Amount = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=14)]
Title = Annotated[str, Field(max_length=500), AfterValidator(no_nul)]
Reason = Annotated[str, Field(max_length=10_000), AfterValidator(no_nul)]
ActionName = Literal[
    "propose",
    "approve",
    "reject",
    "send",
    "accept",
    "decline",
    "start",
    "deliver",
    "confirm",
    "dispute",
    "cancel",
]


class MilestoneIn(Schema):
    id: Id | None = Field(None, description="An existing milestone to keep (with its progress).")
    title: Title
    due_on: date
    description: LongText = ""


class AgreementIn(Schema):
    solution: LongText = Field(description="The proposed solution, in Markdown.")
    estimate_minutes: Minutes
    delivery_on: date
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=200)
    payment: Literal["banks", "quoted"] = "banks"
    quoted_minutes: Minutes | None = None
    quoted_amount: Amount | None = Field(None, description="In Canadian dollars.")
    language: Literal["fr", "en"] | None = Field(
        None, description="Of the document; defaults to the organization's language."
    )


class AgreementPatch(Schema):
    solution: LongText | None = None
    estimate_minutes: Minutes | None = None
    delivery_on: date | None = None
    milestones: list[MilestoneIn] | None = Field(None, max_length=200)
    payment: Literal["banks", "quoted"] | None = None
    quoted_minutes: Minutes | None = None
    quoted_amount: Amount | None = None
    language: Literal["fr", "en"] | None = None


class TransitionIn(Schema):
    action: ActionName
    version: Annotated[int, Field(ge=1, le=2**31)] | None = Field(
        None, description="The version acted on; required to accept."
    )
    reason: Reason = Field("", description="Required to reject, decline, dispute or cancel.")


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: date
    description: str
    done_at: LocalDateTime | None
    late: bool


class TimeOut(Schema):
    estimate_minutes: int
    used_minutes: int
    left_minutes: int
    over_minutes: int


class VersionOut(Schema):
    number: int
    created_at: LocalDateTime
    author_name: str
    solution: str
    estimate_minutes: int
    delivery_on: date
    milestones: list[dict[str, Any]]
    payment: str
    quoted_minutes: int | None
    quoted_amount: Decimal | None
    language: str
    approved_by_name: str | None
    approved_at: LocalDateTime | None
    sent_at: LocalDateTime | None
    accepted_by_name: str | None
    accepted_at: LocalDateTime | None
    declined_by_name: str | None
    declined_at: LocalDateTime | None
    decline_reason: str
    document_url: str


class AgreementOut(Schema):
    id: int
    ticket: int
    organization: int
    state: str
    state_label: str
    version: int = Field(description="The version shown: the current one (staff), the last sent.")
    current_version: int
    sent_version: int | None
    accepted_version: int | None
    solution: str
    solution_html: str
    estimate_minutes: int
    delivery_on: date
    milestones: list[MilestoneOut]
    payment: str
    quoted_minutes: int | None
    quoted_amount: Decimal | None
    language: str
    author: int
    author_name: str
    approved_by_name: str | None
    approved_at: LocalDateTime | None
    sent_at: LocalDateTime | None
    accepted_by_name: str | None
    accepted_at: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime
    started_at: LocalDateTime | None
    delivered_at: LocalDateTime | None
    confirmation_due: LocalDateTime | None
    confirmed_at: LocalDateTime | None
    confirmed_automatically: bool
    cancelled_at: LocalDateTime | None
    cancel_reason: str
    allowed_actions: list[str] = Field(description="What the caller may do now.")
    time: TimeOut
    document_url: str
    versions: list[VersionOut] | None = None


class AgreementFilters(Schema):
    state: str | None = Field(None, description="One state or several separated by commas.")
    organization: Id | None = None
    ticket: Id | None = None
    page: PageNumber = 1
    page_size: PageSize = 25


class DelegateIn(Schema):
    user: Id


class DelegateOut(Schema):
    id: int
    user: int
    user_name: str
    named_at: LocalDateTime
    revoked_at: LocalDateTime | None


class SettingsIn(Schema):
    confirm_after_days: Annotated[int, Field(ge=-1000, le=1000)]


class SettingsOut(Schema):
    confirm_after_days: int


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def _document_url(agreement: Agreement, number: int) -> str:
    return f"/api/v1/agreements/{agreement.pk}/document?version={number}"


def _version_json(agreement: Agreement, version: AgreementVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "created_at": version.created_at,
        "author_name": version.author.display_name,
        "solution": version.solution,
        "estimate_minutes": version.estimate_minutes,
        "delivery_on": version.delivery_on,
        "milestones": version.milestones,
        "payment": version.payment,
        "quoted_minutes": version.quoted_minutes,
        "quoted_amount": version.quoted_amount,
        "language": version.language,
        "approved_by_name": _name(version.approved_by),
        "approved_at": version.approved_at,
        "sent_at": version.sent_at,
        "accepted_by_name": _name(version.accepted_by),
        "accepted_at": version.accepted_at,
        "declined_by_name": _name(version.declined_by),
        "declined_at": version.declined_at,
        "decline_reason": version.decline_reason,
        "document_url": _document_url(agreement, version.number),
    }


def agreement_json(
    user: User,
    agreement: Agreement,
    *,
    with_versions: bool = False,
    powers: roles.Powers | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """An agreement as `AgreementOut` describes it; `powers` and `today` once for a list."""
    version = selectors.shown_version(user, agreement)
    current = agreement.current
    assert current is not None
    time = selectors.progress(agreement, agreement.accepted or version)
    data: dict[str, Any] = {
        "id": agreement.pk,
        "ticket": agreement.ticket_id,
        "organization": agreement.organization_id,
        "state": agreement.state,
        "state_label": agreement.get_state_display(),
        "version": version.number,
        "current_version": current.number,
        "sent_version": agreement.sent.number if agreement.sent else None,
        "accepted_version": agreement.accepted.number if agreement.accepted else None,
        "solution": version.solution,
        "solution_html": render_markdown(version.solution),
        "estimate_minutes": version.estimate_minutes,
        "delivery_on": version.delivery_on,
        "milestones": [
            {
                "id": line.id,
                "title": line.title,
                "due_on": line.due_on,
                "description": line.description,
                "done_at": line.done_at,
                "late": line.late,
            }
            for line in selectors.milestone_lines(agreement, version, today=today)
        ],
        "payment": version.payment,
        "quoted_minutes": version.quoted_minutes,
        "quoted_amount": version.quoted_amount,
        "language": version.language,
        "author": agreement.author_id,
        "author_name": agreement.author.display_name,
        "approved_by_name": _name(version.approved_by),
        "approved_at": version.approved_at,
        "sent_at": version.sent_at,
        "accepted_by_name": _name(version.accepted_by),
        "accepted_at": version.accepted_at,
        "created_at": agreement.created_at,
        "updated_at": agreement.updated_at,
        "started_at": agreement.started_at,
        "delivered_at": agreement.delivered_at,
        "confirmation_due": agreement.confirmation_due,
        "confirmed_at": agreement.confirmed_at,
        "confirmed_automatically": agreement.confirmed_at is not None
        and agreement.confirmed_by_id is None,
        "cancelled_at": agreement.cancelled_at,
        "cancel_reason": agreement.cancel_reason,
        "allowed_actions": roles.actions_for(user, agreement, powers),
        "time": {
            "estimate_minutes": time.estimate_minutes,
            "used_minutes": time.used_minutes,
            "left_minutes": time.left_minutes,
            "over_minutes": time.over_minutes,
        },
        "document_url": _document_url(agreement, version.number),
    }
    if with_versions:
        data["versions"] = [
            _version_json(agreement, v) for v in selectors.versions_visible_to(user, agreement)
        ]
    return data


def _read(user: User, agreement: Agreement) -> dict[str, Any]:
    """The agreement as the caller may now see it, with its versions."""
    return agreement_json(
        user, selectors.agreement_for(user, agreement.pk, acting=True), with_versions=True
    )


def _milestone_inputs(items: list[MilestoneIn]) -> list[services.MilestoneInput]:
    return [
        services.MilestoneInput(
            id=item.id, title=item.title, due_on=item.due_on, description=item.description
        )
        for item in items
    ]


@router.post(
    "/tickets/{ticket_id}/agreements",
    response={201: AgreementOut},
    summary="Write a development agreement on a level-3 request",
)
def create_agreement(
    request: HttpRequest, ticket_id: Id, payload: AgreementIn
) -> Status[dict[str, Any]]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    agreement = services.agreement_create(
        actor=actor,
        ticket=ticket,
        solution=payload.solution,
        estimate_minutes=payload.estimate_minutes,
        delivery_on=payload.delivery_on,
        milestones=_milestone_inputs(payload.milestones),
        payment=payload.payment,
        quoted_minutes=payload.quoted_minutes,
        quoted_amount=payload.quoted_amount,
        language=payload.language,
    )
    return Status(201, _read(actor, agreement))


@router.get(
    "/tickets/{ticket_id}/agreements",
    response=list[AgreementOut],
    summary="A request's development agreements",
)
def ticket_agreements(request: HttpRequest, ticket_id: Id) -> list[dict[str, Any]]:
    actor = caller(request)
    ticket = visible_ticket(actor, ticket_id)
    powers, today = roles.Powers.of(actor), local_date(timezone.now())
    agreements = selectors.with_used_minutes(selectors.agreements_of_ticket(actor, ticket.pk))
    return [
        agreement_json(actor, agreement, powers=powers, today=today) for agreement in agreements
    ]


def _delegate_json(delegate: Delegate) -> dict[str, Any]:
    return {
        "id": delegate.pk,
        "user": delegate.user_id,
        "user_name": delegate.user.display_name,
        "named_at": delegate.named_at,
        "revoked_at": delegate.revoked_at,
    }


@router.get("/agreements/delegates", response=list[DelegateOut], summary="Approval delegates")
def list_delegates(request: HttpRequest) -> list[dict[str, Any]]:
    actor = caller(request)
    if not actor.is_staff_member:
        raise NotAllowed(_("Only support staff can see this."))
    return [
        _delegate_json(d)
        for d in Delegate.objects.filter(revoked_at__isnull=True).select_related("user")
    ]


@router.post(
    "/agreements/delegates", response={201: DelegateOut}, summary="Name an approval delegate"
)
def name_delegate(request: HttpRequest, payload: DelegateIn) -> Status[dict[str, Any]]:
    actor = caller(request)
    user = User.objects.filter(pk=payload.user).first()
    if user is None:
        raise InvalidInput(_("No such person."), field="user")
    delegate = services.delegate_name(actor=actor, user=user)
    return Status(201, _delegate_json(delegate))


@router.delete(
    "/agreements/delegates/{delegate_id}", response={204: None}, summary="Revoke a delegate"
)
def revoke_delegate(request: HttpRequest, delegate_id: Id) -> Status[None]:
    actor = caller(request)
    delegate = Delegate.objects.filter(pk=delegate_id).first()
    if delegate is None or not actor.is_staff_member:
        raise Http404
    services.delegate_revoke(actor=actor, delegate=delegate)
    return Status(204, None)


@router.get("/agreements/settings", response=SettingsOut, summary="Rules for agreements")
def get_settings(request: HttpRequest) -> dict[str, int]:
    return {"confirm_after_days": services.settings_now().confirm_after_days}


@router.patch("/agreements/settings", response=SettingsOut, summary="Change the rules")
def put_settings(request: HttpRequest, payload: SettingsIn) -> dict[str, int]:
    found = services.settings_update(
        actor=caller(request), confirm_after_days=payload.confirm_after_days
    )
    return {"confirm_after_days": found.confirm_after_days}


@router.get("/agreements", response=Page[AgreementOut], summary="List development agreements")
def list_agreements(request: HttpRequest, filters: Query[AgreementFilters]) -> dict[str, Any]:
    actor = caller(request)
    qs = selectors.with_used_minutes(selectors.agreements_visible_to(actor))
    if filters.state:
        states = comma_list(
            filters.state, State.values, field="state", unknown=_("Unknown state: %(value)s.")
        )
        qs = qs.filter(state__in=states)
    if filters.organization:
        qs = qs.filter(organization_id=filters.organization)
    if filters.ticket:
        qs = qs.filter(ticket_id=filters.ticket)
    page = page_of(
        request, qs.order_by("-created_at", "-id"), page=filters.page, page_size=filters.page_size
    )
    powers, today = roles.Powers.of(actor), local_date(timezone.now())
    page["items"] = [
        agreement_json(actor, agreement, powers=powers, today=today) for agreement in page["items"]
    ]
    return page


@router.get("/agreements/{agreement_id}", response=AgreementOut, summary="An agreement")
def get_agreement(request: HttpRequest, agreement_id: Id) -> dict[str, Any]:
    actor = caller(request)
    return agreement_json(actor, selectors.agreement_for(actor, agreement_id), with_versions=True)


@router.patch(
    "/agreements/{agreement_id}",
    response=AgreementOut,
    summary="Change an agreement's content (a new version)",
)
def patch_agreement(
    request: HttpRequest, agreement_id: Id, payload: AgreementPatch
) -> dict[str, Any]:
    actor = caller(request)
    agreement = selectors.agreement_for(actor, agreement_id, acting=True)
    given = payload.model_fields_set
    changes: dict[str, Any] = {
        name: getattr(payload, name)
        for name in (
            "solution",
            "estimate_minutes",
            "delivery_on",
            "payment",
            "quoted_minutes",
            "quoted_amount",
            "language",
        )
        if name in given
    }
    for name in ("solution", "estimate_minutes", "delivery_on", "payment", "language"):
        if name in changes and changes[name] is None:
            raise InvalidInput(_("This field cannot be emptied."), field=name)
    if "milestones" in given:
        changes["milestones"] = _milestone_inputs(payload.milestones or [])
    agreement = services.agreement_revise(actor=actor, agreement=agreement, **changes)
    return _read(actor, agreement)


@router.post(
    "/agreements/{agreement_id}/transitions",
    response=AgreementOut,
    summary="Propose, approve, send, accept, decline, start, deliver, confirm or cancel",
)
def transition(request: HttpRequest, agreement_id: Id, payload: TransitionIn) -> dict[str, Any]:
    actor = caller(request)
    agreement = selectors.agreement_for(actor, agreement_id, acting=True)
    agreement = services.agreement_transition(
        actor=actor,
        agreement=agreement,
        action=payload.action,
        version=payload.version,
        reason=payload.reason,
    )
    return _read(actor, agreement)


@router.post(
    "/agreements/{agreement_id}/milestones/{milestone_id}/done",
    response=AgreementOut,
    summary="Mark a milestone done",
)
def milestone_done(request: HttpRequest, agreement_id: Id, milestone_id: Id) -> dict[str, Any]:
    actor = caller(request)
    agreement = selectors.agreement_for(actor, agreement_id, acting=True)
    services.milestone_mark_done(actor=actor, agreement=agreement, milestone_id=milestone_id)
    return _read(actor, agreement)


class DocumentQuery(Schema):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = None


@router.get(
    "/agreements/{agreement_id}/document",
    summary="A version's PDF",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
            }
        }
    },
)
def document(request: HttpRequest, agreement_id: Id, query: Query[DocumentQuery]) -> HttpResponse:
    actor = caller(request)
    agreement = selectors.agreement_for(actor, agreement_id)
    name, pdf = selectors.document_for(actor, agreement, query.version)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
