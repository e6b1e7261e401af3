"""Who else is on a request: the beat each open request page sends, and what it shows back."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from soutien.presence import selectors, services
from soutien.ticketing.selectors import ticket_for
from soutien.web.access import current_user, staff_required


@staff_required
@require_POST
def ticket_presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Record that the viewer has the request open (typing or not); show who else has."""
    user = current_user(request)
    ticket = ticket_for(user, ticket_id)
    services.presence_beat(actor=user, ticket=ticket, typing=request.POST.get("typing") == "1")
    others = selectors.others_on(ticket_id=ticket.pk, viewer=user)
    return render(request, "console/_presence.html", {"others": others})
