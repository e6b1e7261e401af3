"""The satisfaction rating form, shared by the email link's page and the portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.satisfaction.models import Rating


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How did we do?"),
        choices=[
            (Rating.Value.GOOD, _("Good, I am satisfied")),
            (Rating.Value.BAD, _("Bad, I am not satisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What went wrong? (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class GuaranteeForm(forms.Form):
    reason = forms.CharField(
        label=_("What went wrong"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A support manager decides within the response time of a level-2 request."),
        error_messages={"required": _("Say what went wrong: a manager reads it.")},
    )
