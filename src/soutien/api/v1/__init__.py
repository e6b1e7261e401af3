"""API v1: the JSON contract clients integrate with (SPEC 11)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.docs import Swagger

from soutien import __version__
from soutien.api.v1 import (
    agreements,
    auth,
    contracts,
    kb,
    newsletter,
    organizations,
    privacy,
    reports,
    satisfaction,
    sla,
    tickets,
    time_entries,
    training,
    users,
    workspace,
)
from soutien.api.v1.common import LocalTimeRenderer, NotAnObject, ObjectBodyParser
from soutien.core.db import is_unavailable, retry_after_seconds
from soutien.core.errors import ServiceError
from soutien.training.booking import BookingConflict

logger = logging.getLogger(__name__)


class LocalSwagger(Swagger):
    """Swagger UI from our own static files (web/static/soutien/vendor/swagger-ui): it works
    offline and under the Content-Security-Policy, where django-ninja's page loads a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: object) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, "web/api_docs.html", {"api": api, "swagger_settings": settings})


api = NinjaAPI(
    title="Soutien API",
    version="1",
    description="Requests, service levels, hour banks and knowledge base of the Soutien desk.",
    urls_namespace="api-v1",
    auth=auth.bearer,
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    openapi_extra={"info": {"x-soutien-version": __version__}},
    parser=ObjectBodyParser(),
    # Every time in every answer in the caller's time zone, with its offset (docs/api.md).
    renderer=LocalTimeRenderer(),
)

api.add_router("/auth", auth.router)
api.add_router("/organizations", organizations.router)
api.add_router("/organizations", contracts.router)
api.add_router("/plans", contracts.plans_router)
api.add_router("/support-hours", sla.router)
api.add_router("/tickets", workspace.router)
api.add_router("/views", workspace.views_router)
api.add_router("/macros", workspace.macros_router)
api.add_router("/tickets", tickets.router)
api.add_router("/attachments", tickets.attachments_router)
api.add_router("", time_entries.router)
api.add_router("", agreements.router)
api.add_router("/kb", kb.router)
api.add_router("/newsletter", newsletter.router)
api.add_router("", training.router)
api.add_router("/feeds", training.feeds_router)
api.add_router("/privacy", privacy.router)
api.add_router("/users", privacy.people_router)
api.add_router("/reports", reports.router)
api.add_router("", satisfaction.router)
api.add_router("", users.router)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    body: dict[str, object] = {**exc.details, "detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NotAnObject):
        value = exc.__cause__.value
        kind = (
            "null"
            if value is None
            else {list: _("an array"), bool: _("true or false"), str: _("a string")}.get(
                type(value), _("a number")
            )
        )
        message = _("The body must be a JSON object, not %(kind)s.") % {"kind": kind}
        return api.create_response(request, {"detail": message, "field": "body"}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


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


@api.exception_handler(OperationalError)
def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A busy or unreachable database is a 503 the client can retry, not a 500 (D5)."""
    if not is_unavailable(exc):
        raise exc
    logger.warning("API answered 503, database unavailable: %s", exc)
    response = api.create_response(
        request, {"detail": _("The service is busy: try again in a few seconds.")}, status=503
    )
    response["Retry-After"] = str(retry_after_seconds())
    return response
