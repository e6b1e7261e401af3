"""The client's rating of a resolved request (docs/reports.md, satisfaction)."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import AfterValidator, Field

from soutien.api.v1.common import Id, LocalDateTime, caller, no_nul
from soutien.satisfaction import services
from soutien.satisfaction.models import Rating
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
