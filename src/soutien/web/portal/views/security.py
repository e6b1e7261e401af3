"""The client's own two-factor sign-in (optional)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from soutien.web.access import client_required
from soutien.web.two_factor import security_page


@client_required
def security(request: HttpRequest) -> HttpResponse:
    return security_page(request, template="portal/security.html", url_name="portal:security")
