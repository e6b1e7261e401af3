"""An organization's statement in the console."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from soutien.accounts.selectors import organizations_visible_to
from soutien.web.access import current_user, not_for_clients, staff_required
from soutien.web.statements import statement_response


@require_GET
@not_for_clients
@staff_required
def statement(request: HttpRequest, organization_id: int) -> HttpResponse:
    """Any organization's statement, for staff."""
    organizations = organizations_visible_to(current_user(request))
    organization = get_object_or_404(organizations, pk=organization_id)
    return statement_response(request, organization, "console")
