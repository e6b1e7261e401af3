"""The client's rating of a resolved request (docs/reports.md, satisfaction)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.api.v1.common import Id, LocalDateTime, caller, no_nul
from soutien.satisfaction import selectors, services
from soutien.satisfaction.models import Guarantee, Rating
from soutien.ticketing.selectors import ticket_for

router = Router(tags=["satisfaction"])


class RatingIn(Schema):
    rating: Literal["good", "bad"]
    comment: Annotated[str, Field(max_length=5000), AfterValidator(no_nul)] = ""


class RatingOut(Schema):
    ticket: int
    rating: str
    comment: str
    via: str
    rated_at: LocalDateTime

    @staticmethod
    def resolve_ticket(obj: Rating) -> int:
        return obj.ticket_id

    @staticmethod
    def resolve_rating(obj: Rating) -> str:
        return obj.value

    @staticmethod
    def resolve_rated_at(obj: Rating) -> object:
        return obj.updated_at


@router.get(
    "/tickets/{ticket_id}/satisfaction",
    response=RatingOut,
    summary="The client's rating of a request as it stands (404 while it has none)",
)
def rating(request: HttpRequest, ticket_id: Id) -> Rating:
    ticket = ticket_for(caller(request), ticket_id)
    found = selectors.rating_of(ticket.pk)
    if found is None:
        raise Http404(_("This request has not been rated."))
    return found


@router.post(
    "/tickets/{ticket_id}/satisfaction",
    response=RatingOut,
    summary="Rate a resolved request (changeable for 7 days)",
)
def rate(request: HttpRequest, ticket_id: Id, payload: RatingIn) -> Rating:
    actor = caller(request)
    ticket = ticket_for(actor, ticket_id)
    return services.rating_record(
        ticket=ticket,
        value=payload.rating,
        comment=payload.comment,
        actor=actor,
        via=Rating.Via.API,
    )


class GuaranteeIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(no_nul)]


class GuaranteeOut(Schema):
    id: int
    ticket: int | None
    organization: int
    state: str
    reason: str
    invoked_at: LocalDateTime
    invoked_by: int
    invoked_by_name: str
    decide_by: LocalDateTime
    # The manager's note (what the client and the statement read); `state` says granted or not.
    decision: str
    decided_at: LocalDateTime | None
    credited_minutes: int
    waived_minutes: int
    bank: int | None

    @staticmethod
    def resolve_ticket(obj: Guarantee) -> int | None:
        return obj.ticket_id

    @staticmethod
    def resolve_organization(obj: Guarantee) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_invoked_by(obj: Guarantee) -> int:
        return obj.invoked_by_id

    @staticmethod
    def resolve_invoked_by_name(obj: Guarantee) -> str:
        return obj.invoked_by.display_name

    @staticmethod
    def resolve_decision(obj: Guarantee) -> str:
        return obj.decision_note

    @staticmethod
    def resolve_credited_minutes(obj: Guarantee) -> int:
        return obj.credit.minutes if obj.credit is not None else 0

    @staticmethod
    def resolve_waived_minutes(obj: Guarantee) -> int:
        return obj.credit.waived_overage_minutes if obj.credit is not None else 0

    @staticmethod
    def resolve_bank(obj: Guarantee) -> int | None:
        return obj.credit.bank_id if obj.credit is not None else None


@router.get(
    "/tickets/{ticket_id}/guarantees",
    response=list[GuaranteeOut],
    summary="The satisfaction guarantees invoked on a request, the latest first, with decisions",
)
def guarantees(request: HttpRequest, ticket_id: Id) -> list[Guarantee]:
    ticket = ticket_for(caller(request), ticket_id)
    return list(selectors.guarantees_of_ticket(ticket.pk))


@router.post(
    "/tickets/{ticket_id}/guarantee",
    response={201: GuaranteeOut},
    summary="Invoke the satisfaction guarantee on a request (client administrator)",
)
def invoke(request: HttpRequest, ticket_id: Id, payload: GuaranteeIn) -> Status[Guarantee]:
    actor = caller(request)
    ticket = ticket_for(actor, ticket_id)
    return Status(201, services.guarantee_invoke(actor=actor, ticket=ticket, reason=payload.reason))
