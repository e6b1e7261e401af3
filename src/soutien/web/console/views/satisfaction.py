"""Managers' decisions on satisfaction: close a bad rating's follow-up, decide a guarantee."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.contracts.models import HourBank
from soutien.core.errors import InvalidInput
from soutien.satisfaction import services as satisfaction_services
from soutien.satisfaction.models import Guarantee, Rating
from soutien.web.access import current_user, manager_required
from soutien.web.forms import reporting


@manager_required
@require_POST
def rating_follow_up(request: HttpRequest, rating_id: int) -> HttpResponse:
    """A manager closes the follow-up of a bad rating, with what was done."""
    rating = get_object_or_404(Rating, pk=rating_id)
    with reporting(request, _("Follow-up closed.")):
        satisfaction_services.follow_up_close(
            actor=current_user(request), rating=rating, note=request.POST.get("note", "")
        )
    return redirect(reverse("console:report", args=["satisfaction"]) + "#follow-ups")


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return -1


@manager_required
@require_POST
def guarantee_decide(request: HttpRequest, guarantee_id: int) -> HttpResponse:
    """A manager grants (with a credit or overage waived) or refuses a guarantee."""
    guarantee = get_object_or_404(Guarantee, pk=guarantee_id)
    bank_id = _int(request.POST.get("bank"))
    bank = HourBank.objects.filter(pk=bank_id, organization_id=guarantee.organization_id).first()
    grant = request.POST.get("decision") == "grant"
    done = _("Guarantee granted.") if grant else _("Guarantee refused.")
    with reporting(request, done):
        credit, waive = _int(request.POST.get("minutes")), _int(request.POST.get("waive"))
        if credit < 0 or waive < 0:
            raise InvalidInput(_("Give whole minutes."), field="minutes")
        satisfaction_services.guarantee_decide(
            actor=current_user(request),
            guarantee=guarantee,
            grant=grant,
            note=request.POST.get("note", ""),
            bank=bank,
            credit_minutes=credit if grant else 0,
            waived_overage_minutes=waive if grant else 0,
        )
    if request.POST.get("back") == "ticket" and guarantee.ticket_id is not None:
        return redirect(reverse("console:ticket", args=[guarantee.ticket_id]) + "#satisfaction")
    return redirect(reverse("console:report", args=["satisfaction"]) + "#guarantees")
