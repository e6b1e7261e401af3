"""Console forms for Law 25: a retention rule, a confidentiality incident."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.privacy.models import Action, Incident

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class RuleForm(forms.Form):
    """One kind's period: empty keeps the records for good."""

    kind = forms.CharField(widget=forms.HiddenInput, max_length=40)
    days = forms.IntegerField(
        label=_("Kept for (days)"), required=False, min_value=1, max_value=100 * 366
    )
    action = forms.ChoiceField(label=_("Then"), choices=Action.choices)


class IncidentForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date of the incident"), widget=DAY)
    discovered_on = forms.DateField(label=_("Date it came to light"), widget=DAY)
    nature = forms.CharField(label=_("What happened"), widget=TEXT, max_length=20_000)
    information = forms.CharField(
        label=_("Personal information concerned"), widget=TEXT, max_length=20_000
    )
    people = forms.CharField(
        label=_("People concerned"),
        widget=TEXT,
        max_length=20_000,
        help_text=_("Who they are (clients of an organization, staff), or their names."),
    )
    people_count = forms.IntegerField(
        label=_("Number of people concerned"), required=False, min_value=0, max_value=10**9
    )
    risk = forms.ChoiceField(label=_("Risk of serious injury"), choices=Incident.Risk.choices)
    risk_assessment = forms.CharField(
        label=_("Assessment of the risk"),
        widget=TEXT,
        required=False,
        max_length=100_000,
        help_text=_(
            "The sensitivity of the information, the foreseeable consequences of its use, "
            "the likelihood that it is misused."
        ),
    )
    commission_notified_on = forms.DateField(
        label=_("Commission d'accès à l'information notified on"), required=False, widget=DAY
    )
    people_notified_on = forms.DateField(
        label=_("People concerned notified on"), required=False, widget=DAY
    )
    measures = forms.CharField(
        label=_("Measures taken"), widget=TEXT, required=False, max_length=100_000
    )
