"""A client's development agreements: read the version sent, accept or decline it, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from soutien.accounts.models import User
from soutien.agreements import roles, selectors
from soutien.agreements.models import Action, Agreement
from soutien.web.access import client_required, current_user
from soutien.web.agreements import (
    TransitionForm,
    document_response,
    page_context,
    state_label,
    take_step,
)

DONE_MESSAGES = {
    Action.ACCEPT: gettext_lazy(
        "Thank you: the agreement is accepted. A signed copy is on its way."
    ),
    Action.DECLINE: gettext_lazy("The agreement is declined; our team will get back to you."),
    Action.CONFIRM: gettext_lazy("Thank you: the delivery is confirmed."),
    Action.DISPUTE: gettext_lazy("The delivery is disputed; our team will get back to you."),
}


@client_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    agreements = list(selectors.agreements_visible_to(user).order_by("-updated_at", "-id")[:100])
    rows = [(agreement, state_label(user, agreement)) for agreement in agreements]
    return render(request, "portal/agreements/list.html", {"rows": rows})


def _page(
    request: HttpRequest, user: User, agreement: Agreement, *, bound: TransitionForm | None = None
) -> HttpResponse:
    context = page_context(user, agreement, bound=bound)
    context.update(
        {
            "request_view": "portal:ticket",
            "document_view": "portal:agreement_document",
            "milestone_view": "",
            "may_sign": roles.may_sign(user, agreement),
        }
    )
    return render(
        request,
        "portal/agreements/detail.html",
        context,
        status=400 if bound is not None else 200,
    )


@client_required
@require_GET
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = current_user(request)
    return _page(request, user, selectors.agreement_for(user, agreement_id))


@client_required
@require_POST
def agreement_answer(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Accept the version read, decline it, confirm the delivery or dispute it."""
    user = current_user(request)
    agreement = selectors.agreement_for(user, agreement_id)
    form = TransitionForm(request.POST)
    if not (form.is_valid() and take_step(user, agreement, form)):
        return _page(request, user, selectors.agreement_for(user, agreement_id), bound=form)
    messages.success(request, str(DONE_MESSAGES.get(form.cleaned_data["action"], "")))
    return redirect("portal:agreement", agreement_id=agreement.pk)


@client_required
@require_GET
def agreement_document(request: HttpRequest, agreement_id: int, number: int) -> HttpResponse:
    user = current_user(request)
    return document_response(user, selectors.agreement_for(user, agreement_id), number)
