"""Every answer's security headers, and every time shown in the viewer's own time zone."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone_name = getattr(user, "time_zone", "") if user is not None else ""
        if zone_name:
            timezone.activate(ZoneInfo(zone_name))
        else:
            timezone.deactivate()
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer.

    Django's SecurityMiddleware sends the rest (HSTS over HTTPS, nosniff, Referrer-Policy,
    Cross-Origin-Opener-Policy). A view that needs a policy of its own (a file download, an
    email shown in a frame) sets it, and it is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = "; ".join(
            f"{name} {' '.join(values)}" for name, values in settings.SOUTIEN_CSP.items()
        )
        self.permissions = ", ".join(
            f"{feature}=()" for feature in settings.SOUTIEN_PERMISSIONS_POLICY
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response
