"""The statement of one's own organization in the portal."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.core.errors import ServiceError
from soutien.notifications import services as notice_services
from soutien.notifications.models import Notification
from soutien.satisfaction.services import guarantee_invoke
from soutien.web.access import client_admin_required, current_user
from soutien.web.forms import apply_service_error
from soutien.web.satisfaction import GuaranteeForm
from soutien.web.statements import statement_response


@require_GET
@client_admin_required
def statement(request: HttpRequest) -> HttpResponse:
    """The statement of the client administrator's own organization; other clients get 404."""
    user = current_user(request)
    organization = user.organization
    assert organization is not None
    # The statement lists the decisions on guarantees invoked on statements: read here.
    notice_services.mark_read(
        user=user,
        notification_ids=Notification.objects.filter(
            recipient=user, ticket__isnull=True, kind=Notification.Kind.GUARANTEE_DECIDED
        ).values_list("pk", flat=True),
    )
    return statement_response(request, organization, "portal")


@require_POST
@client_admin_required
def statement_guarantee(request: HttpRequest) -> HttpResponse:
    """Invoke the satisfaction guarantee on the statement of a period."""
    user = current_user(request)
    assert user.organization is not None
    form = GuaranteeForm(request.POST)
    try:
        first = date.fromisoformat(request.POST.get("du", ""))
        last = date.fromisoformat(request.POST.get("au", ""))
    except ValueError:
        messages.error(request, _("Choose the statement's period first."))
        return redirect("portal:statement")
    if form.is_valid():
        try:
            guarantee_invoke(
                actor=user,
                organization=user.organization,
                first_day=first,
                last_day=last,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The guarantee is invoked: a support manager will decide."))
            query = urlencode({"du": first.isoformat(), "au": last.isoformat()})
            return redirect(f"{reverse('portal:statement')}?{query}#guarantee")
    return statement_response(request, user.organization, "portal", guarantee_form=form)
