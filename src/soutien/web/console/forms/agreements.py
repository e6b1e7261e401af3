"""Console forms for development agreements: the content with its milestones, the settings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from soutien.accounts.models import Language, User
from soutien.agreements.models import Payment
from soutien.agreements.services import MilestoneInput
from soutien.core.errors import ServiceError

# A date field of the browser takes its value as YYYY-MM-DD, whatever the language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOURS = {"step": "0.25", "inputmode": "decimal"}


def _minutes(hours: Decimal | None) -> int | None:
    if hours is None:
        return None
    return int((hours * 60).to_integral_value(rounding=ROUND_HALF_UP))


class AgreementForm(forms.Form):
    solution = forms.CharField(
        label=_("Proposed solution"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("In Markdown: **bold**, lists, links. The client reads it as written."),
    )
    estimate_hours = forms.DecimalField(
        label=_("Estimate (hours)"),
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs=HOURS),
    )
    delivery_on = forms.DateField(label=_("Delivery date"), widget=DATE)
    payment = forms.ChoiceField(
        label=_("Payment"), choices=Payment.choices, widget=forms.RadioSelect, initial="banks"
    )
    quoted_hours = forms.DecimalField(
        label=_("Quoted time (hours)"),
        required=False,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs=HOURS),
        help_text=_("For quoted work: a fixed number of hours, or an amount below."),
    )
    quoted_amount = forms.DecimalField(
        label=_("Quoted amount (CAD)"), required=False, max_digits=12, decimal_places=2
    )
    language = forms.ChoiceField(label=_("Language of the document"), choices=Language.choices)

    # The service names the fields in minutes; the form asks for hours.
    FIELDS = {"estimate_minutes": "estimate_hours", "quoted_minutes": "quoted_hours"}

    @classmethod
    def initial_for(cls, version: Any) -> dict[str, Any]:
        return {
            "solution": version.solution,
            "estimate_hours": Decimal(version.estimate_minutes) / 60,
            "delivery_on": version.delivery_on,
            "payment": version.payment,
            "quoted_hours": Decimal(version.quoted_minutes) / 60
            if version.quoted_minutes
            else None,
            "quoted_amount": version.quoted_amount,
            "language": version.language,
        }

    def content(self) -> dict[str, Any]:
        """What the service is given, in its own units."""
        data = self.cleaned_data
        quoted = data["payment"] == Payment.QUOTED
        return {
            "solution": data["solution"],
            "estimate_minutes": _minutes(data["estimate_hours"]),
            "delivery_on": data["delivery_on"],
            "payment": data["payment"],
            "quoted_minutes": _minutes(data["quoted_hours"]) if quoted else None,
            "quoted_amount": data["quoted_amount"] if quoted else None,
            "language": data["language"],
        }


class MilestoneForm(forms.Form):
    id = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Milestone"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("title") and not data.get("due_on"):
            self.add_error("due_on", _("Give the milestone's date."))
        if data.get("due_on") and not data.get("title"):
            self.add_error("title", _("Give the milestone a title."))
        return data


class BaseMilestoneFormSet(forms.BaseFormSet):
    def milestones(self) -> list[MilestoneInput]:
        """The rows filled in, in order; a row left empty is not a milestone."""
        return [
            MilestoneInput(
                id=form.cleaned_data.get("id"),
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                description=form.cleaned_data.get("description") or "",
            )
            for form in self.forms
            if form.cleaned_data.get("title")
        ]


MilestoneFormSet = cast(
    type[BaseMilestoneFormSet],
    forms.formset_factory(
        MilestoneForm, formset=BaseMilestoneFormSet, extra=3, max_num=50, absolute_max=60
    ),
)


def apply_agreement_error(
    form: AgreementForm, milestones: BaseMilestoneFormSet, exc: ServiceError
) -> None:
    """Show a service's refusal where it belongs: a field of the form, or a milestone's row."""
    if exc.field == "milestones":
        index = exc.details.get("milestone")
        filled = [f for f in milestones.forms if f.cleaned_data.get("title")]
        if isinstance(index, int) and 0 <= index < len(filled):
            filled[index].add_error("due_on", exc.message)
            return
    field = AgreementForm.FIELDS.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


class DelegateForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.filter(is_active=True, organization__isnull=True).order_by(
            "full_name", "username"
        ),
    )


class AgreementSettingsForm(forms.Form):
    confirm_after_days = forms.IntegerField(
        label=_("Business days to confirm a delivery"),
        help_text=_(
            "A delivery the client neither confirms nor disputes is taken as delivered after"
            " this many business days of the standard service hours."
        ),
    )
