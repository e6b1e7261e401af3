"""Console forms for contracts, plan subscriptions, plans and time entries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.contracts.models import Plan, Service
from soutien.sla.models import ServiceCalendar
from soutien.web.forms import check_period, local_datetime_field

DATE = forms.DateInput(attrs={"type": "date"})


class _Period(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        try:
            check_period(data.get("starts_on"), data.get("ends_on"))
        except forms.ValidationError as exc:
            self.add_error("ends_on", exc)
        return data


class ContractForm(_Period):
    reference = forms.CharField(label=_("Reference"), max_length=100)
    included_minutes = forms.IntegerField(
        label=_("Included support minutes"), min_value=0, initial=0
    )
    calendar = forms.ModelChoiceField(
        label=_("Own service hours"),
        queryset=ServiceCalendar.objects.all(),
        required=False,
        empty_label=_("Standard service hours"),
    )
    none_minutes = forms.IntegerField(
        label=_("Own target, not triaged (minutes)"), min_value=1, required=False
    )
    level_1_minutes = forms.IntegerField(
        label=_("Own target, level 1 (minutes)"), min_value=1, required=False
    )
    level_2_minutes = forms.IntegerField(
        label=_("Own target, level 2 (minutes)"), min_value=1, required=False
    )
    level_3_minutes = forms.IntegerField(
        label=_("Own target, level 3 (minutes)"), min_value=1, required=False
    )

    field_order = ["reference", "starts_on", "ends_on", "included_minutes", "calendar"]

    def terms(self) -> dict[str, Any]:
        keys = {
            "none": "none_minutes",
            "1": "level_1_minutes",
            "2": "level_2_minutes",
            "3": "level_3_minutes",
        }
        targets = {
            key: self.cleaned_data[name]
            for key, name in keys.items()
            if self.cleaned_data.get(name)
        }
        return {"first_response_minutes": targets} if targets else {}


class SubscriptionForm(_Period):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.filter(is_active=True))
    minutes = forms.IntegerField(
        label=_("Minutes (if negotiated)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the plan's minutes."),
    )

    field_order = ["plan", "starts_on", "ends_on", "minutes"]


class PlanForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    minutes = forms.IntegerField(label=_("Hours included (minutes)"), min_value=1)
    calendar = forms.ModelChoiceField(label=_("Coverage"), queryset=ServiceCalendar.objects.all())
    services = forms.MultipleChoiceField(
        label=_("Included services"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_custom = forms.BooleanField(label=_("Custom (negotiated)"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)


class TimeEntryForm(forms.Form):
    """Time worked on a request; shown on the request's page next to the call form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "time_%s")
        super().__init__(*args, **kwargs)

    started_at = local_datetime_field(_("Started at"))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=10_000
    )
