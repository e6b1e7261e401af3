"""License contracts of an organization."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.api.v1.common import Id, caller, no_nul
from soutien.api.v1.organizations import organization_for
from soutien.contracts import services
from soutien.contracts.models import LicenseContract
from soutien.core.errors import NotAllowed
from soutien.sla.models import ServiceCalendar

router = Router(tags=["contracts"])

Minutes = Annotated[int, Field(ge=1, le=60 * 24 * 30)]


class Targets(Schema):
    none: Minutes | None = None
    level_1: Minutes | None = Field(None, alias="1")
    level_2: Minutes | None = Field(None, alias="2")
    level_3: Minutes | None = Field(None, alias="3")

    def as_terms(self) -> dict[str, int]:
        values = {"none": self.none, "1": self.level_1, "2": self.level_2, "3": self.level_3}
        return {key: value for key, value in values.items() if value is not None}


class TermsIn(Schema):
    first_response_minutes: Targets | None = None
    calendar: Id | None = Field(
        None, description="A service calendar id (default: standard hours)."
    )


class ContractIn(Schema):
    reference: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(no_nul)]
    starts_on: date
    ends_on: date
    included_minutes: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    terms: TermsIn | None = None


class ContractOut(Schema):
    id: int
    organization: int
    reference: str
    starts_on: date
    ends_on: date
    included_minutes: int
    terms: dict[str, object]

    @staticmethod
    def resolve_organization(obj: LicenseContract) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_terms(obj: LicenseContract) -> dict[str, object]:
        return {**obj.terms, "calendar": obj.calendar_id}


@router.post(
    "/{organization_id}/contracts", response={201: ContractOut}, summary="Add a license contract"
)
def create_contract(
    request: HttpRequest, organization_id: Id, payload: ContractIn
) -> Status[LicenseContract]:
    actor = caller(request)
    organization = organization_for(actor, organization_id)
    calendar = None
    terms: dict[str, object] = {}
    if payload.terms is not None:
        if payload.terms.calendar is not None:
            calendar = ServiceCalendar.objects.filter(pk=payload.terms.calendar).first()
            if calendar is None:
                raise Http404(_("Service calendar not found."))
        if payload.terms.first_response_minutes is not None:
            terms["first_response_minutes"] = payload.terms.first_response_minutes.as_terms()
    contract = services.contract_create(
        actor=actor,
        organization=organization,
        reference=payload.reference,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        included_minutes=payload.included_minutes,
        terms=terms,
        calendar=calendar,
    )
    return Status(201, contract)


@router.get(
    "/{organization_id}/contracts",
    response=list[ContractOut],
    summary="An organization's contracts",
)
def list_contracts(request: HttpRequest, organization_id: Id) -> list[LicenseContract]:
    actor = caller(request)
    organization = organization_for(actor, organization_id)
    if not (actor.is_staff_member or actor.is_client_admin):
        raise NotAllowed(_("Only a client administrator can see the organization's contracts."))
    return list(
        LicenseContract.objects.filter(organization=organization).order_by("-starts_on", "id")
    )
