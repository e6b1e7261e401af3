"""Forms of the public site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from soutien.accounts import signin
from soutien.core.errors import TooManyAttempts
from soutien.web.forms import NewsletterChoicesForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form, throttled (accounts.signin); `needs_code` when a code must follow."""

    needs_code = False

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
                user, self.needs_code = signin.sign_in_password(
                    username=username, password=password, request=self.request
                )
            except TooManyAttempts as exc:
                raise forms.ValidationError(exc.message, code="throttled") from exc
            except signin.SignInRefused as exc:
                raise self.get_invalid_login_error() from exc
            self.confirm_login_allowed(user)
            self.user_cache = user
        return self.cleaned_data


class PasswordResetForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class CodeForm(forms.Form):
    """The second step: the authenticator's code, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6 digits shown by your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}
        ),
    )


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
