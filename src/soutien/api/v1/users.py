"""Getting in: invitations, password resets and deactivation of people."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from soutien.accounts import access, privacy_officer
from soutien.accounts.models import AccessLink, PrivacyOfficer, User
from soutien.api.v1.common import Id, caller, no_nul
from soutien.core.errors import NotFound
from soutien.people import services, tasks

router = Router(tags=["access"])

Secret = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(no_nul)]
Password = Annotated[str, Field(min_length=1, max_length=1024), AfterValidator(no_nul)]


class InvitationOut(Schema):
    user: int
    sent_to: str
    expires_at: datetime


class ResetIn(Schema):
    email: Annotated[str, Field(min_length=1, max_length=254), AfterValidator(no_nul)]


class LinkIn(Schema):
    token: Secret
    password: Password


class Detail(Schema):
    detail: str


class PasswordSetOut(Schema):
    detail: str
    user: int
    username: str


class PersonOut(Schema):
    id: int
    username: str
    email: str
    name: str
    organization: int | None
    role: str
    is_active: bool
    access: str


def _person(actor: User, user_id: int) -> User:
    """A person the caller may see (staff: anyone; a client: its organization); else 404."""
    user = User.objects.select_related("organization").filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("Person not found."))
    visible = actor.is_staff_member or (
        actor.organization_id is not None
        and actor.organization_id == user.organization_id
        and (actor.is_client_admin or actor.pk == user.pk)
    )
    if not visible:
        raise NotFound(_("Person not found."))
    return user


def _out(user: User) -> dict[str, object]:
    state = access.access_states([user])[user.pk]
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "name": user.display_name,
        "organization": user.organization_id,
        "role": user.client_role,
        "is_active": user.is_active,
        "access": state,
    }


@router.get("/users/{user_id}/access", response=PersonOut, summary="A person's access")
def get_user(request: HttpRequest, user_id: Id) -> dict[str, object]:
    """`access`: `active` (has a password), `invited` (a link pending), `not_invited`, or
    `deactivated`."""
    return _out(_person(caller(request), user_id))


@router.post(
    "/users/{user_id}/invitation",
    response={202: InvitationOut},
    summary="Send (or send again) an invitation",
)
def send_invitation(request: HttpRequest, user_id: Id) -> Status[dict[str, object]]:
    """Email the person a one-time link to choose a password, valid 7 days; a link sent
    before stops working. Staff invite client users (an administrator anyone); a client
    administrator the people of its own organization."""
    actor = caller(request)
    user = _person(actor, user_id)
    link = services.invitation_send(actor=actor, user=user)
    return Status(202, {"user": user.pk, "sent_to": user.email, "expires_at": link.expires_at})


@router.post("/users/{user_id}/deactivate", response=PersonOut, summary="Deactivate a person")
def deactivate_user(request: HttpRequest, user_id: Id) -> dict[str, object]:
    """End the person's access at once: sessions, API tokens and pending links; they cannot
    sign in until reactivated and invited again."""
    actor = caller(request)
    user = access.user_deactivate(actor=actor, user=_person(actor, user_id))
    return _out(user)


@router.post("/users/{user_id}/reactivate", response=PersonOut, summary="Reactivate a person")
def reactivate_user(request: HttpRequest, user_id: Id) -> dict[str, object]:
    """Let a deactivated person back in; send them an invitation to choose a password."""
    actor = caller(request)
    user = access.user_reactivate(actor=actor, user=_person(actor, user_id))
    return _out(user)


@router.post(
    "/auth/password-reset",
    auth=None,
    response={202: Detail},
    summary="Ask for a password reset link",
)
def password_reset(request: HttpRequest, payload: ResetIn) -> Status[dict[str, str]]:
    """Always 202 with the same answer, whether or not the address belongs to someone: if it
    does, a one-time link valid one hour is emailed to it."""
    tasks.password_reset_later(email=payload.email)
    message = _("If this address belongs to an account, a link to reset its password was sent.")
    return Status(202, {"detail": message})


@router.post(
    "/auth/password-reset/confirm",
    auth=None,
    response={200: PasswordSetOut},
    summary="Choose a new password with a reset link",
)
def password_reset_confirm(request: HttpRequest, payload: LinkIn) -> dict[str, object]:
    """The link's `token` and the new password (Django's password rules apply: 422 lists
    what is wrong). The person's other sessions and API tokens end."""
    user = services.password_set_with_link(
        token=payload.token, purpose=AccessLink.Purpose.RESET, password=payload.password
    )
    return {"detail": _("Your password was changed."), "user": user.pk, "username": user.username}


@router.post(
    "/invitations/accept",
    auth=None,
    response={200: PasswordSetOut},
    summary="Accept an invitation: choose a password",
)
def accept_invitation(request: HttpRequest, payload: LinkIn) -> dict[str, object]:
    """The invitation's `token` and the chosen password; then sign in (`POST /auth/token`)."""
    user = services.password_set_with_link(
        token=payload.token, purpose=AccessLink.Purpose.INVITATION, password=payload.password
    )
    return {"detail": _("Your password is set."), "user": user.pk, "username": user.username}


class OfficerIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(no_nul)]
    title: Annotated[str, Field(max_length=200), AfterValidator(no_nul)] = ""
    email: Annotated[str, Field(min_length=3, max_length=254), AfterValidator(no_nul)]
    postal_address: Annotated[str, Field(max_length=2000), AfterValidator(no_nul)] = ""
    phone: Annotated[str, Field(max_length=40), AfterValidator(no_nul)] = ""


class OfficerOut(Schema):
    name: str
    title: str
    email: str
    postal_address: str
    phone: str
    updated_at: datetime


@router.get(
    "/privacy-officer",
    auth=None,
    response={200: OfficerOut},
    summary="The person in charge of personal information (Law 25)",
)
def get_privacy_officer(request: HttpRequest) -> PrivacyOfficer:
    """Public: who is in charge of the protection of personal information and how to reach
    them; 404 until a manager names someone."""
    officer = privacy_officer.current()
    if officer is None:
        raise NotFound(_("The person in charge has not been named yet."))
    return officer


@router.put(
    "/privacy-officer",
    response={200: OfficerOut},
    summary="Name the person in charge of personal information",
)
def put_privacy_officer(request: HttpRequest, payload: OfficerIn) -> PrivacyOfficer:
    """A support manager or an administrator; shown on the public pages and every email."""
    return privacy_officer.officer_save(actor=caller(request), **payload.model_dump())
