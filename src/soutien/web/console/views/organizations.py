"""Organizations in the console: contracts, plan subscriptions, hour banks, overage."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.accounts.models import Organization
from soutien.accounts.services import organization_create, organization_rename
from soutien.contracts import selectors, services
from soutien.contracts.models import HourBank, TimeEntry
from soutien.core.errors import ServiceError
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.forms.contracts import (
    ContractForm,
    SubscriptionForm,
)
from soutien.web.console.forms.people import OrganizationForm, RenameForm
from soutien.web.forms import apply_service_error
from soutien.web.people import ACCESS_LABELS, ContactForm, contacts_with_access


def _list(
    request: HttpRequest, form: OrganizationForm | None = None, status: int = 200
) -> HttpResponse:
    organizations = Organization.objects.annotate(
        left=Sum("hour_banks__total_minutes") - Sum("hour_banks__used_minutes"),
    ).order_by("name")
    overage = selectors.overage_minutes_by_organization()
    rows = [(o, overage.get(o.pk, 0)) for o in organizations]
    context = {"rows": rows, "form": form or OrganizationForm()}
    return render(request, "console/organizations/list.html", context, status=status)


@staff_required
def organization_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


@manager_required
@require_POST
def organization_add(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST)
    if form.is_valid():
        try:
            organization = organization_create(
                actor=current_user(request),
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Organization added: add its contacts and contract."))
            return redirect("console:organization", organization_id=organization.pk)
    return _list(request, form, status=400)


def detail_context(organization: Organization, **forms: object) -> dict[str, object]:
    return {
        "organization": organization,
        "contacts": contacts_with_access(organization),
        "access_labels": ACCESS_LABELS,
        "contact_form": forms.get("contact_form")
        or ContactForm(initial={"language": organization.language}),
        "banks": list(selectors.banks_of(organization)),
        "entries": selectors.entries_of(organization, limit=50),
        "contract_form": forms.get("contract_form") or ContractForm(),
        "subscription_form": forms.get("subscription_form") or SubscriptionForm(),
        "rename_form": forms.get("rename_form") or RenameForm(initial={"name": organization.name}),
    }


@staff_required
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=organization_id)
    return render(request, "console/organizations/detail.html", detail_context(organization))


@manager_required
@require_POST
def organization_rename_view(request: HttpRequest, organization_id: int) -> HttpResponse:
    """A new name: its requests are found by it in the search from then on."""
    organization = get_object_or_404(Organization, pk=organization_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            organization_rename(
                actor=current_user(request),
                organization=organization,
                name=form.cleaned_data["name"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Organization renamed."))
            return redirect("console:organization", organization_id=organization.pk)
    organization.refresh_from_db()
    context = detail_context(organization, rename_form=form)
    return render(request, "console/organizations/detail.html", context, status=400)


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
    context = detail_context(organization, contract_form=form)
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
    context = detail_context(organization, subscription_form=form)
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
