"""License contracts of an organization."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.accounts.models import Organization, User
from soutien.api.v1.common import Id, caller, no_nul
from soutien.api.v1.organizations import organization_for
from soutien.contracts import services
from soutien.contracts.models import HourBank, LicenseContract, Plan, Subscription
from soutien.core.errors import InvalidInput, NotAllowed
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
    organization = _organization_for_admin(caller(request), organization_id)
    return list(
        LicenseContract.objects.filter(organization=organization).order_by("-starts_on", "id")
    )


def _organization_for_admin(actor: User, organization_id: int) -> Organization:
    """The organization, for staff and its client administrators (contracts, plans, balances)."""
    organization = organization_for(actor, organization_id)
    if not (actor.is_staff_member or actor.is_client_admin):
        raise NotAllowed(_("Only a client administrator can see the organization's contracts."))
    return organization


class PlanOut(Schema):
    code: str
    name: str
    minutes: int
    calendar: int
    services: list[str]
    is_custom: bool

    @staticmethod
    def resolve_name(obj: Plan) -> str:
        return obj.name(get_language() or "fr")

    @staticmethod
    def resolve_calendar(obj: Plan) -> int:
        return obj.calendar_id


plans_router = Router(tags=["contracts"])


@plans_router.get("", response=list[PlanOut], summary="Plans on offer")
def list_plans(request: HttpRequest) -> list[Plan]:
    return list(Plan.objects.filter(is_active=True))


class SubscriptionIn(Schema):
    plan: Annotated[str, Field(min_length=1, max_length=50), AfterValidator(no_nul)]
    starts_on: date
    ends_on: date
    minutes: Annotated[int | None, Field(ge=1, le=10_000_000)] = Field(
        None, description="For a negotiated plan: minutes other than the plan's."
    )


class SubscriptionOut(Schema):
    id: int
    organization: int
    plan: str
    starts_on: date
    ends_on: date
    minutes: int
    bank: int

    @staticmethod
    def resolve_organization(obj: Subscription) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_plan(obj: Subscription) -> str:
        return obj.plan.code

    @staticmethod
    def resolve_bank(obj: Subscription) -> int:
        return obj.bank.pk


@router.post(
    "/{organization_id}/subscriptions",
    response={201: SubscriptionOut},
    summary="Subscribe to a plan",
)
def create_subscription(
    request: HttpRequest, organization_id: Id, payload: SubscriptionIn
) -> Status[Subscription]:
    actor = caller(request)
    organization = organization_for(actor, organization_id)
    plan = Plan.objects.filter(code=payload.plan).first()
    if plan is None:
        raise InvalidInput(
            _("No plan has the code %(code)s.") % {"code": payload.plan}, field="plan"
        )
    subscription = services.subscription_create(
        actor=actor,
        organization=organization,
        plan=plan,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        minutes=payload.minutes,
    )
    return Status(201, subscription)


@router.get(
    "/{organization_id}/subscriptions", response=list[SubscriptionOut], summary="Plan subscriptions"
)
def list_subscriptions(request: HttpRequest, organization_id: Id) -> list[Subscription]:
    organization = _organization_for_admin(caller(request), organization_id)
    return list(
        Subscription.objects.filter(organization=organization)
        .select_related("plan", "bank")
        .order_by("-starts_on", "id")
    )


class HourBankOut(Schema):
    id: int
    source: str
    name: str
    total_minutes: int
    used_minutes: int
    left_minutes: int
    valid_from: date
    valid_until: date
    coverage_calendar: int | None

    @staticmethod
    def resolve_name(obj: HourBank) -> str:
        return obj.label(get_language() or "fr")

    @staticmethod
    def resolve_coverage_calendar(obj: HourBank) -> int | None:
        return obj.calendar_id


@router.get("/{organization_id}/hour-banks", response=list[HourBankOut], summary="Hour banks")
def list_hour_banks(request: HttpRequest, organization_id: Id) -> list[HourBank]:
    """Each contract and plan subscription with its total, used and remaining minutes."""
    organization = _organization_for_admin(caller(request), organization_id)
    return list(
        HourBank.objects.filter(organization=organization)
        .select_related("contract", "subscription__plan")
        .order_by("valid_until", "id")
    )
