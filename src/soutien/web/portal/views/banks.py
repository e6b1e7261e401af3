"""A client administrator's hour banks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from soutien.contracts import selectors as contract_selectors
from soutien.notifications.models import Notification
from soutien.web.access import client_admin_required, current_user


@client_admin_required
def hour_banks(request: HttpRequest) -> HttpResponse:
    """A client administrator's view of its organization's hour banks and what used them."""
    user = current_user(request)
    assert user.organization is not None
    banks = list(contract_selectors.banks_of(user.organization))
    used_by = contract_selectors.allocations_by_bank(banks)
    alerts = list(
        Notification.objects.filter(recipient=user, kind=Notification.Kind.BANK_LOW).order_by(
            "-created_at"
        )[:10]
    )
    return render(
        request,
        "portal/hour_banks.html",
        {"banks": banks, "used_by": used_by, "alerts": alerts},
    )
