"""A client administrator's people: add a colleague and invite them, send an invitation again,
deactivate one who left. Only the people of its own organization (others: 404)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from soutien.accounts.models import User
from soutien.web.access import client_admin_required, current_user
from soutien.web.people import (
    ACCESS_LABELS,
    ContactForm,
    contact_add,
    contacts_with_access,
    person_action,
)


@client_admin_required
def contact_list(request: HttpRequest) -> HttpResponse:
    organization = current_user(request).organization
    assert organization is not None
    form: ContactForm | None = ContactForm(initial={"language": organization.language})
    if request.method == "POST":
        form = contact_add(request, organization)
        if form is None:
            return redirect("portal:contacts")
    context = {
        "organization": organization,
        "contacts": contacts_with_access(organization),
        "access_labels": ACCESS_LABELS,
        "form": form,
    }
    return render(
        request, "portal/contacts.html", context, status=400 if form and form.errors else 200
    )


def _action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    organization = current_user(request).organization
    people = User.objects.filter(organization=organization)
    return person_action(request, user_id, action, people=people, back="portal:contacts")


@client_admin_required
@require_POST
def contact_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, "invite")


@client_admin_required
@require_POST
def contact_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, "deactivate")


@client_admin_required
@require_POST
def contact_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _action(request, user_id, "reactivate")
