"""Forms of the public site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from soutien.accounts import services as account_services
from soutien.core.errors import TooManyAttempts
from soutien.web.forms import NewsletterChoicesForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form, throttled per account and per address."""

    username = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if username and password:
            try:
                user = account_services.authenticate_throttled(
                    username=username, password=password, request=self.request
                )
            except TooManyAttempts as exc:
                raise forms.ValidationError(exc.message, code="throttled") from exc
            if user is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(user)
            self.user_cache = user
        return self.cleaned_data


class SubscribeForm(NewsletterChoicesForm):
    """The public subscription form; the address's owner confirms from an email."""

    email = forms.EmailField(label=_("Your email address"), max_length=254)
    agree = forms.BooleanField(
        label=_("I agree to the text above."),
        error_messages={"required": _("Check this box to subscribe.")},
    )
    text_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    # Left empty by people (it is hidden); robots fill every field.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        # Out of the tab order too: hidden from screen readers, it must not take the focus.
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = ["email", "language", "topics", "agree", "text_version", "website"]
