"""Time worked on a request: logged against the hour banks, or deleted to give it back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.contracts import services
from soutien.contracts.models import TimeEntry
from soutien.core.errors import ServiceError
from soutien.ticketing.selectors import ticket_for
from soutien.web.access import current_user, staff_required
from soutien.web.console.forms.contracts import (
    TimeEntryForm,
)


@staff_required
@require_POST
def time_entry_add(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = ticket_for(user, ticket_id)
    form = TimeEntryForm(request.POST)
    if form.is_valid():
        try:
            entry = services.time_entry_create(actor=user, ticket=ticket, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            if entry.overage_minutes:
                messages.warning(
                    request,
                    _("%(minutes)s minutes logged, %(overage)s outside any hour bank (billable).")
                    % {"minutes": entry.minutes, "overage": entry.overage_minutes},
                )
            else:
                messages.success(
                    request, _("%(minutes)s minutes logged.") % {"minutes": entry.minutes}
                )
    else:
        messages.error(request, _("Give a start and a number of minutes between 1 and 1440."))
    return redirect("console:ticket", ticket_id=ticket.pk)


@staff_required
@require_POST
def time_entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(TimeEntry, pk=entry_id)
    services.time_entry_delete(actor=current_user(request), entry=entry)
    messages.success(request, _("Time entry deleted; its minutes went back to the hour banks."))
    return redirect("console:ticket", ticket_id=entry.ticket_id)
