"""A manager's decision on a satisfaction guarantee, on the request's page or the report's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

WHOLE_MINUTES = {"invalid": _("Give whole minutes."), "min_value": _("Give whole minutes.")}


class GuaranteeDecisionForm(forms.Form):
    """Grant (with minutes credited to one of the organization's banks, or overage waived) or
    refuse, with a note the client and the statement read."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("grant", _("Grant")), ("refuse", _("Refuse"))]
    )
    bank = forms.TypedChoiceField(
        label=_("Credit to the bank"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("This bank is not the organization's.")},
    )
    minutes = forms.IntegerField(
        label=_("Minutes credited"),
        min_value=0,
        initial=0,
        required=False,
        error_messages=WHOLE_MINUTES,
    )
    waive = forms.IntegerField(
        label=_("Overage waived (min)"),
        min_value=0,
        initial=0,
        required=False,
        error_messages=WHOLE_MINUTES,
    )
    note = forms.CharField(
        label=_("Note (the client and the statement read it)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why: the client and the statement read it.")},
    )

    def __init__(
        self, *args: Any, guarantee_id: int, banks: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        # Several guarantees' forms on one page: each field's id names its guarantee.
        kwargs.setdefault("auto_id", f"decide-{guarantee_id}-%s")
        super().__init__(*args, **kwargs)
        bank_field = self.fields["bank"]
        assert isinstance(bank_field, forms.TypedChoiceField)
        bank_field.choices = [("", "—"), *banks]
