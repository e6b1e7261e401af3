"""Time worked on a request: logged against the hour banks, or deleted to give it back."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from soutien.contracts import services
from soutien.contracts.models import Allocation, TimeEntry
from soutien.core.errors import ServiceError
from soutien.ticketing.selectors import ticket_for
from soutien.web.access import current_user, staff_required
from soutien.web.console.forms.contracts import (
    TimeEntryForm,
)
from soutien.web.console.forms.rendering import plain_widgets


@staff_required
@require_GET
def ticket_time(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """A request's time entries and the form to log more: the panel its page reads when it is
    opened (htmx), or a page of its own without JavaScript."""
    user = current_user(request)
    ticket = ticket_for(user, ticket_id)
    # Each allocation with its bank and what names it: no second look-up of the banks.
    allocations = Allocation.objects.select_related("bank__contract", "bank__subscription__plan")
    context = {
        "ticket": ticket,
        "entries": list(
            ticket.time_entries.select_related("technician")
            .prefetch_related(Prefetch("allocations", queryset=allocations))
            .order_by("started_at", "id")
        ),
        "time_form": TimeEntryForm(
            initial={"started_at": timezone.localtime().replace(second=0, microsecond=0)},
            renderer=plain_widgets,
        ),
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    template = "console/_time_panel.html" if htmx else "console/ticket_time.html"
    return render(request, template, context)


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
