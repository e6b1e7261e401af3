"""The plans offered to clients: hours included, coverage, services."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from soutien.contracts import services
from soutien.contracts.models import Plan
from soutien.core.errors import ServiceError
from soutien.web.access import current_user, manager_required
from soutien.web.console.forms.contracts import (
    PlanForm,
)
from soutien.web.forms import apply_service_error, initial_from


@manager_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.select_related("calendar").order_by("is_custom", "code")
    return render(request, "console/settings/plan_list.html", {"plans": plans})


@manager_required
def plan_edit(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id) if plan_id else None
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                saved = services.plan_save(
                    actor=current_user(request), plan=plan, **form.cleaned_data
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Plan saved."))
                return redirect("console:plan", plan_id=saved.pk)
    elif plan is not None:
        form = PlanForm(initial=initial_from(plan, PlanForm))
    else:
        form = PlanForm()
    status = 400 if form.errors else 200
    return render(
        request, "console/settings/plan_edit.html", {"plan": plan, "form": form}, status=status
    )
