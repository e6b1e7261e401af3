"""Console pages for organizations: contracts, plan subscriptions, hour banks, overage; plans."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.accounts.models import Organization, User
from soutien.contracts import selectors, services
from soutien.contracts.models import HourBank, Plan, TimeEntry
from soutien.core.errors import ServiceError
from soutien.ticketing.selectors import ticket_for
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.organization_forms import (
    ContractForm,
    PlanForm,
    SubscriptionForm,
    TimeEntryForm,
)
from soutien.web.forms import apply_service_error


@staff_required
def organization_list(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.annotate(
        left=Sum("hour_banks__total_minutes") - Sum("hour_banks__used_minutes"),
    ).order_by("name")
    overage = selectors.overage_minutes_by_organization()
    rows = [(o, overage.get(o.pk, 0)) for o in organizations]
    return render(request, "console/organizations/list.html", {"rows": rows})


def _detail_context(organization: Organization, **forms: object) -> dict[str, object]:
    return {
        "organization": organization,
        "contacts": User.objects.filter(organization=organization).order_by("full_name"),
        "banks": list(selectors.banks_of(organization)),
        "entries": selectors.entries_of(organization, limit=50),
        "contract_form": forms.get("contract_form") or ContractForm(),
        "subscription_form": forms.get("subscription_form") or SubscriptionForm(),
    }


@staff_required
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=organization_id)
    return render(request, "console/organizations/detail.html", _detail_context(organization))


@manager_required
@require_POST
def contract_add(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=organization_id)
    form = ContractForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.contract_create(
                actor=current_user(request),
                organization=organization,
                reference=data["reference"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                included_minutes=data["included_minutes"],
                terms=form.terms(),
                calendar=data["calendar"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Contract added with its hour bank."))
            return redirect("console:organization", organization_id=organization.pk)
    context = _detail_context(organization, contract_form=form)
    return render(request, "console/organizations/detail.html", context, status=400)


@manager_required
@require_POST
def subscription_add(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=organization_id)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_create(
                actor=current_user(request),
                organization=organization,
                plan=data["plan"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                minutes=data["minutes"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Plan subscription added with its hour bank."))
            return redirect("console:organization", organization_id=organization.pk)
    context = _detail_context(organization, subscription_form=form)
    return render(request, "console/organizations/detail.html", context, status=400)


@staff_required
def bank_detail(request: HttpRequest, bank_id: int) -> HttpResponse:
    bank = get_object_or_404(
        HourBank.objects.select_related("organization", "contract", "subscription__plan"),
        pk=bank_id,
    )
    allocations = list(selectors.entries_of_bank(bank)[:200])
    return render(
        request, "console/organizations/bank.html", {"bank": bank, "allocations": allocations}
    )


@staff_required
def overage(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.overage_by_organization())
    entries = list(
        TimeEntry.objects.filter(overage_minutes__gt=0)
        .select_related("organization", "ticket", "technician")
        .order_by("-started_at")[:100]
    )
    return render(request, "console/organizations/overage.html", {"rows": rows, "entries": entries})


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
        form = PlanForm(
            initial={
                "code": plan.code,
                "name_fr": plan.name_fr,
                "name_en": plan.name_en,
                "minutes": plan.minutes,
                "calendar": plan.calendar_id,
                "services": plan.services,
                "is_custom": plan.is_custom,
                "is_active": plan.is_active,
            }
        )
    else:
        form = PlanForm()
    status = 400 if form.errors else 200
    return render(
        request, "console/settings/plan_edit.html", {"plan": plan, "form": form}, status=status
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
