"""Organizations and their contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.accounts import selectors, services
from soutien.accounts.models import Organization, User
from soutien.api.v1.common import Id, Name, Page, PageNumber, PageSize, caller, no_nul, page_of
from soutien.people import services as people

router = Router(tags=["organizations"])

Language = Literal["fr", "en"]
Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(no_nul)]


class OrganizationIn(Schema):
    name: Annotated[Name, Field(min_length=1)]
    language: Language = "fr"


class OrganizationOut(Schema):
    id: int
    name: str
    language: str
    is_active: bool
    created_at: datetime


class ContactIn(Schema):
    email: Email
    name: Annotated[Name, Field(min_length=1)]
    language: Language = "fr"
    role: Literal["contact", "client_admin"] = "contact"
    phone: Annotated[str, Field(max_length=40), AfterValidator(no_nul)] = ""
    # Email the contact a one-time link to choose a password (valid 7 days).
    invite: bool = False


class ContactOut(Schema):
    id: int
    organization: int
    email: str
    name: str
    language: str
    role: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_organization(obj: User) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name

    @staticmethod
    def resolve_role(obj: User) -> str:
        return obj.client_role


def organization_for(user: User, organization_id: int) -> Organization:
    organization = selectors.organizations_visible_to(user).filter(pk=organization_id).first()
    if organization is None:
        raise Http404
    return organization


@router.post("", response={201: OrganizationOut}, summary="Add an organization")
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[Organization]:
    organization = services.organization_create(
        actor=caller(request), name=payload.name, language=payload.language
    )
    return Status(201, organization)


@router.get("", response=Page[OrganizationOut], summary="List organizations")
def list_organizations(
    request: HttpRequest, page: PageNumber = 1, page_size: PageSize = 50
) -> dict[str, object]:
    qs = selectors.organizations_visible_to(caller(request)).order_by("name", "id")
    return page_of(request, qs, page=page, page_size=page_size)


@router.get("/{organization_id}", response=OrganizationOut, summary="An organization")
def get_organization(request: HttpRequest, organization_id: Id) -> Organization:
    return organization_for(caller(request), organization_id)


@router.post("/{organization_id}/contacts", response={201: ContactOut}, summary="Add a contact")
def create_contact(request: HttpRequest, organization_id: Id, payload: ContactIn) -> Status[User]:
    organization = organization_for(caller(request), organization_id)
    contact = people.contact_create(
        actor=caller(request),
        organization=organization,
        email=payload.email,
        name=payload.name,
        language=payload.language,
        role=payload.role,
        phone=payload.phone,
        invite=payload.invite,
    )
    return Status(201, contact)


class ContactFilters(Schema):
    page: PageNumber = 1
    page_size: PageSize = 50


@router.get(
    "/{organization_id}/contacts",
    response=Page[ContactOut],
    summary="List an organization's contacts",
)
def list_contacts(
    request: HttpRequest, organization_id: Id, filters: Query[ContactFilters]
) -> dict[str, object]:
    organization = organization_for(caller(request), organization_id)
    qs = selectors.contacts_visible_to(caller(request), organization)
    return page_of(request, qs, page=filters.page, page_size=filters.page_size)
