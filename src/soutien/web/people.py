"""People's access, shared by the console and the portal: adding a contact (and inviting it),
sending an invitation again, deactivating and reactivating, and the password form of the links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts import access
from soutien.accounts.models import ClientRole, Language, Organization, User
from soutien.core.errors import ServiceError
from soutien.people import services
from soutien.web.access import current_user
from soutien.web.forms import apply_service_error, reporting


class ContactForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ClientRole.choices)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    invite = forms.BooleanField(
        label=gettext_lazy("Email an invitation to choose a password"),
        required=False,
        initial=True,
    )


class PasswordForm(forms.Form):
    """A new password, typed twice, checked by Django's password validators."""

    password1 = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("New password, again"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            for message in access.password_errors(first, self.user):
                self.add_error("password1", message)
        return data


def contact_add(request: HttpRequest, organization: Organization) -> ContactForm | None:
    """Add a contact from the posted form (and invite it); None once done, else the form."""
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.contact_create(
                actor=current_user(request),
                organization=organization,
                email=data["email"],
                name=data["name"],
                language=data["language"],
                role=data["role"],
                phone=data["phone"],
                invite=data["invite"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if data["invite"]:
                done = _("%(name)s was added and invited by email.")
            else:
                done = _("%(name)s was added.")
            messages.success(request, done % {"name": contact.display_name})
            return None
    return form


def person_action(
    request: HttpRequest, user_id: int, action: str, *, people: Any, back: str, **kwargs: Any
) -> HttpResponse:
    """Invite, deactivate or reactivate one of `people` (others: 404); back to `back`."""
    user = get_object_or_404(people, pk=user_id)
    actor = current_user(request)
    name = user.display_name
    if action == "invite":
        with reporting(request, _("An invitation was sent to %(email)s.") % {"email": user.email}):
            services.invitation_send(actor=actor, user=user)
    elif action == "deactivate":
        with reporting(request, _("%(name)s was deactivated.") % {"name": name}):
            access.user_deactivate(actor=actor, user=user)
    else:
        with reporting(
            request, _("%(name)s was reactivated: send them an invitation.") % {"name": name}
        ):
            access.user_reactivate(actor=actor, user=user)
    return redirect(back, **kwargs)


def contacts_with_access(organization: Organization) -> list[tuple[User, str]]:
    """The organization's people and the state of their access, in two queries."""
    contacts = list(User.objects.filter(organization=organization).order_by("full_name", "id"))
    states = access.access_states(contacts)
    return [(contact, states[contact.pk]) for contact in contacts]


ACCESS_LABELS = {
    "active": gettext_lazy("Has a password"),
    "invited": gettext_lazy("Invited"),
    "not_invited": gettext_lazy("Not invited"),
    "deactivated": gettext_lazy("Deactivated"),
}
