"""Forms of the client portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.web.forms import MultipleFileField, NewsletterChoicesForm


class NewRequestForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=100_000,
        help_text=_("Quote any error message exactly as it appears."),
    )
    attachments = MultipleFileField(label=_("Attachments"))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=100_000
    )
    attachments = MultipleFileField(label=_("Attachments"))


class AnotherDateForm(forms.Form):
    note = forms.CharField(
        label=_("Which dates would suit you?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class PortalSubscribeForm(NewsletterChoicesForm):
    """A signed-in contact subscribes their own address: their consent counts at once."""

    agree = forms.BooleanField(
        label=_("I agree to the text above."),
        error_messages={"required": _("Check this box to subscribe.")},
    )
    text_version = forms.CharField(widget=forms.HiddenInput, max_length=40)
