"""The console's forms for organizations and the person in charge of personal information."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class RenameForm(forms.Form):
    prefix = "rename"
    name = forms.CharField(label=_("New name"), max_length=200)


class PrivacyOfficerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    postal_address = forms.CharField(
        label=_("Postal address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
