"""API v1: the JSON contract clients integrate with (SPEC 11)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from soutien import __version__
from soutien.api.v1 import (
    agreements,
    auth,
    contracts,
    kb,
    newsletter,
    organizations,
    sla,
    tickets,
    time_entries,
    training,
)
from soutien.api.v1.common import LocalTimeRenderer
from soutien.core.errors import ServiceError
from soutien.training.booking import BookingConflict

api = NinjaAPI(
    title="Soutien API",
    version="1",
    description="Requests, service levels, hour banks and knowledge base of the Soutien desk.",
    urls_namespace="api-v1",
    auth=auth.bearer,
    docs_url="/docs",
    openapi_url="/openapi.json",
    openapi_extra={"info": {"x-soutien-version": __version__}},
    # Every time in every answer in the caller's time zone, with its offset (docs/api.md).
    renderer=LocalTimeRenderer(),
)

api.add_router("/auth", auth.router)
api.add_router("/organizations", organizations.router)
api.add_router("/organizations", contracts.router)
api.add_router("/plans", contracts.plans_router)
api.add_router("/support-hours", sla.router)
api.add_router("/tickets", tickets.router)
api.add_router("/attachments", tickets.attachments_router)
api.add_router("", time_entries.router)
api.add_router("", agreements.router)
api.add_router("/kb", kb.router)
api.add_router("/newsletter", newsletter.router)
api.add_router("", training.router)
api.add_router("/feeds", training.feeds_router)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    body: dict[str, object] = {**exc.details, "detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(BookingConflict)
def booking_conflict(request: HttpRequest, exc: BookingConflict) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message, "conflicts": exc.conflicts}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=409)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if exc.args and isinstance(exc.args[0], str) else _("Not found.")
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("You are not allowed to do this.")}, status=403
    )


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = (
        str(exc)
        if str(exc) and str(exc) != "Unauthorized"
        else _("Sign in: a valid token is needed.")
    )
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response
