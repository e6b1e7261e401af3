"""People's access in the console: add a contact and invite it, send an invitation again,
deactivate or reactivate someone; the person in charge of personal information (Law 25)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.accounts import privacy_officer
from soutien.accounts import services as accounts
from soutien.accounts.models import Organization, User
from soutien.core.errors import ServiceError
from soutien.web.access import current_user, manager_required, staff_required
from soutien.web.console.forms.people import PrivacyOfficerForm, RenameForm
from soutien.web.console.views.organizations import detail_context
from soutien.web.console.views.privacy import person_page
from soutien.web.forms import apply_service_error
from soutien.web.people import contact_add as add
from soutien.web.people import person_action


@staff_required
@require_POST
def contact_add(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=organization_id)
    form = add(request, organization)
    if form is None:
        return redirect("console:organization", organization_id=organization.pk)
    context = detail_context(organization, contact_form=form)
    return render(request, "console/organizations/detail.html", context, status=400)


def _person(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    if user.organization_id is None:
        # Staff have no organization page: back to the queue.
        return person_action(
            request, user_id, action, people=User.objects.all(), back="console:queue"
        )
    return person_action(
        request,
        user_id,
        action,
        people=User.objects.all(),
        back="console:organization",
        organization_id=user.organization_id,
    )


@staff_required
@require_POST
def user_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    return _person(request, user_id, "invite")


@staff_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _person(request, user_id, "deactivate")


@staff_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _person(request, user_id, "reactivate")


@staff_required
@require_POST
def contact_rename(request: HttpRequest, user_id: int) -> HttpResponse:
    """A client contact's new name: its requests are found by it in the search."""
    contact = get_object_or_404(User, pk=user_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            accounts.contact_rename(
                actor=current_user(request), contact=contact, name=form.cleaned_data["name"]
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Name changed."))
            return redirect("console:person", user_id=contact.pk)
    return person_page(request, contact.pk, rename_form=form)


@manager_required
def privacy_officer_edit(request: HttpRequest) -> HttpResponse:
    officer = privacy_officer.current()
    if request.method == "POST":
        form = PrivacyOfficerForm(request.POST)
        if form.is_valid():
            try:
                privacy_officer.officer_save(actor=current_user(request), **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request, _("The person in charge of personal information was saved.")
                )
                return redirect("console:privacy_officer")
    else:
        initial = (
            {
                "name": officer.name,
                "title": officer.title,
                "email": officer.email,
                "phone": officer.phone,
                "postal_address": officer.postal_address,
            }
            if officer
            else {}
        )
        form = PrivacyOfficerForm(initial=initial)
    return render(
        request,
        "console/settings/privacy_officer.html",
        {"form": form, "officer": officer},
        status=400 if form.errors else 200,
    )
