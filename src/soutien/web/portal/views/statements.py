"""The statement of one's own organization in the portal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from soutien.web.access import client_admin_required, current_user
from soutien.web.statements import statement_response


@require_GET
@client_admin_required
def statement(request: HttpRequest) -> HttpResponse:
    """The statement of the client administrator's own organization; other clients get 404."""
    organization = current_user(request).organization
    assert organization is not None
    return statement_response(request, organization, "portal")
