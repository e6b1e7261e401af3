"""Managers' decisions on satisfaction: close a bad rating's follow-up, decide a guarantee."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.contracts.models import HourBank
from soutien.core.errors import ServiceError
from soutien.satisfaction import services as satisfaction_services
from soutien.satisfaction.models import Guarantee, Rating
from soutien.web.access import current_user, manager_required
from soutien.web.console.forms.satisfaction import GuaranteeDecisionForm
from soutien.web.console.views import reports, tickets
from soutien.web.forms import apply_service_error, reporting


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


@manager_required
@require_POST
def guarantee_decide(request: HttpRequest, guarantee_id: int) -> HttpResponse:
    """A manager grants (with a credit or overage waived) or refuses a guarantee.

    A refusal of the form or of the service shows the page it was sent from again, the form as
    typed and the error on its field; nothing is decided.
    """
    guarantee = get_object_or_404(Guarantee, pk=guarantee_id)
    on_ticket = request.POST.get("back") == "ticket" and guarantee.ticket_id is not None
    banks = tickets.bank_choices(guarantee.organization_id)
    form = GuaranteeDecisionForm(request.POST, guarantee_id=guarantee.pk, banks=banks)
    if form.is_valid():
        data = form.cleaned_data
        grant = data["decision"] == "grant"
        try:
            satisfaction_services.guarantee_decide(
                actor=current_user(request),
                guarantee=guarantee,
                grant=grant,
                note=data["note"],
                bank=HourBank.objects.filter(pk=data["bank"]).first() if data["bank"] else None,
                credit_minutes=(data["minutes"] or 0) if grant else 0,
                waived_overage_minutes=(data["waive"] or 0) if grant else 0,
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Guarantee granted.") if grant else _("Guarantee refused."))
            if on_ticket:
                return redirect(
                    reverse("console:ticket", args=[guarantee.ticket_id]) + "#satisfaction"
                )
            return redirect(reverse("console:report", args=["satisfaction"]) + "#guarantees")
    if on_ticket:
        assert guarantee.ticket_id is not None
        return tickets.ticket_with_decision(request, guarantee.ticket_id, guarantee.pk, form)
    return reports.satisfaction_with_decision(request, guarantee.pk, form)
