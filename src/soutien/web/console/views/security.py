"""The staff member's own two-factor sign-in (required for managers and administrators)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from soutien.web.access import staff_required
from soutien.web.two_factor import security_page


@staff_required
def security(request: HttpRequest) -> HttpResponse:
    return security_page(request, template="console/security.html", url_name="console:security")
