"""Bearer tokens: obtain one with a username and password, use it, revoke it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import Field

from soutien.accounts import services, signin
from soutien.accounts.models import ApiToken, User
from soutien.api.v1.common import Id, Name, caller
from soutien.core.errors import NotFound, TooManyAttempts


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # The rate limiter looked the token up already (api/v1/limits.py): one query, not two.
        seen = getattr(request, "soutien_bearer", None)
        found = seen[1] if seen is not None and seen[0] == token else services.token_user(token)
        if found is None:
            return None
        api_token, user = found
        # Times in answers are given in the caller's own time zone.
        timezone.activate(ZoneInfo(user.time_zone))
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        return user


bearer = BearerToken()
router = Router(tags=["auth"])


class TokenIn(Schema):
    username: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    otp: Annotated[
        str | None,
        Field(
            max_length=64,
            description="The code of the authenticator app, or a recovery code, when the "
            "account uses two-factor sign-in.",
        ),
    ] = None
    name: Name = ""
    days: Annotated[int | None, Field(ge=1, le=3650)] = None


class TokenOut(Schema):
    token: str
    expires_at: datetime


class SignInError(Schema):
    detail: str
    code: str = Field(description="credentials, otp_required or otp_invalid")


class Throttled(Schema):
    detail: str
    retry_after: int = Field(description="Seconds to wait; also in the Retry-After header.")


class TokenInfo(Schema):
    id: int
    prefix: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class MeOut(Schema):
    id: int
    username: str
    email: str
    full_name: str
    language: str
    time_zone: str
    organization: int | None
    client_role: str
    staff_roles: list[str]
    levels: list[int]


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: SignInError, 429: Throttled},
    summary="Obtain a token",
)
def obtain_token(request: HttpRequest, payload: TokenIn) -> TokenOut | JsonResponse:
    """Exchange a username (or email), a password and, when two-factor sign-in is on, the
    `otp` code for a bearer token that expires. Failed attempts are throttled: 429 says in
    `Retry-After` when to try again."""
    try:
        user = signin.sign_in_at_once(
            username=payload.username, password=payload.password, otp=payload.otp, request=request
        )
    except TooManyAttempts as exc:
        throttled = JsonResponse({**exc.details, "detail": exc.message}, status=429)
        throttled["Retry-After"] = str(exc.details["retry_after"])
        return throttled
    except signin.SignInRefused as exc:
        refused = JsonResponse({"detail": exc.message, "code": exc.code}, status=401)
        refused["WWW-Authenticate"] = "Bearer"
        return refused
    token, raw = services.token_issue(user=user, name=payload.name, days=payload.days)
    timezone.activate(ZoneInfo(user.time_zone))  # the answer's times in the caller's zone
    return TokenOut(token=raw, expires_at=token.expires_at)


@router.delete("/token", response={204: None}, summary="Revoke the token in use")
def revoke_current_token(request: HttpRequest) -> Status[None]:
    token = getattr(request, "api_token", None)
    assert isinstance(token, ApiToken)
    services.token_revoke(actor=caller(request), token=token)
    return Status(204, None)


@router.get("/tokens", response=list[TokenInfo], summary="My tokens")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=caller(request)))


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens")
def revoke_token(request: HttpRequest, token_id: Id) -> Status[None]:
    token = ApiToken.objects.filter(pk=token_id, user=caller(request)).first()
    if token is None:
        raise NotFound(_("Token not found."))
    services.token_revoke(actor=caller(request), token=token)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> dict[str, object]:
    user = caller(request)
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "organization": user.organization_id,
        "client_role": user.client_role,
        "staff_roles": user.staff_roles,
        "levels": user.levels,
    }
