"""The statement of one's own organization in the portal."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.satisfaction.services import guarantee_invoke
from soutien.web.access import client_admin_required, current_user
from soutien.web.forms import reporting
from soutien.web.satisfaction import GuaranteeForm
from soutien.web.statements import statement_response


@require_GET
@client_admin_required
def statement(request: HttpRequest) -> HttpResponse:
    """The statement of the client administrator's own organization; other clients get 404."""
    organization = current_user(request).organization
    assert organization is not None
    return statement_response(request, organization, "portal")


@require_POST
@client_admin_required
def statement_guarantee(request: HttpRequest) -> HttpResponse:
    """Invoke the satisfaction guarantee on the statement of a period."""
    user = current_user(request)
    form = GuaranteeForm(request.POST)
    try:
        first = date.fromisoformat(request.POST.get("du", ""))
        last = date.fromisoformat(request.POST.get("au", ""))
    except ValueError:
        form.add_error(None, _("Choose the statement's period first."))
    if not form.is_valid():
        messages.error(request, _("Say what went wrong."))
        return redirect("portal:statement")
    with reporting(request, _("The guarantee is invoked: a support manager will decide.")):
        guarantee_invoke(
            actor=user,
            organization=user.organization,
            first_day=first,
            last_day=last,
            reason=form.cleaned_data["reason"],
        )
    return redirect(f"{reverse('portal:statement')}?du={first.isoformat()}&au={last.isoformat()}")
