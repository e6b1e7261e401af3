"""Forms for the support manager's settings: calendars, closures, policy versions."""

from __future__ import annotations

import itertools
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from soutien.sla.models import ServiceCalendar
from soutien.web.forms import local_datetime_field

# A context of our own, so these labels never override Django's date names ("lundi" in dates).
DAY_NAMES = [
    pgettext_lazy("weekday label", "Monday"),
    pgettext_lazy("weekday label", "Tuesday"),
    pgettext_lazy("weekday label", "Wednesday"),
    pgettext_lazy("weekday label", "Thursday"),
    pgettext_lazy("weekday label", "Friday"),
    pgettext_lazy("weekday label", "Saturday"),
    pgettext_lazy("weekday label", "Sunday"),
]
# Hours and minutes separated by ":" or "h" (Quebec style), ranges by a hyphen or an en dash.
RANGE = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*[-\u2013]\s*(\d{1,2})[:h](\d{2})\s*$")


def format_ranges(ranges: list[list[int]]) -> str:
    """[[510, 750], [780, 1020]] -> "08:30-12:30, 13:00-17:00" """
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in ranges)


def parse_ranges(text: str) -> list[list[int]]:
    """ "08:30-12:30, 13:00-17:00" -> [[510, 750], [780, 1020]]; 24:00 ends a day."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = RANGE.match(part)
        if not match:
            raise forms.ValidationError(
                _("Write time ranges like 08:30-12:30, 13:00-17:00 (not “%(part)s”)."),
                params={"part": part},
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start >= 24 * 60 or end > 24 * 60 or start >= end:
            raise forms.ValidationError(
                _("“%(part)s” is not a range within one day."), params={"part": part}
            )
        ranges.append([start, end])
    ranges.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(ranges):
        if s2 < e1:
            raise forms.ValidationError(_("Time ranges of one day must not overlap."))
    return ranges


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="America/Toronto")
    always_open = forms.BooleanField(label=_("24 hours a day, 7 days a week"), required=False)
    holiday_country = forms.CharField(
        label=_("Statutory holidays of (country code)"),
        max_length=2,
        required=False,
        initial="CA",
        help_text=_("Two letters, e.g. CA. Leave empty for no statutory holidays."),
    )
    holiday_subdivision = forms.CharField(
        label=_("Province or state code"), max_length=5, required=False, initial="QC"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(DAY_NAMES):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name,
                required=False,
                max_length=200,
                widget=forms.TextInput(
                    attrs={"data-day": day, "placeholder": "08:30-12:30, 13:00-17:00"}
                ),
            )

    @classmethod
    def for_calendar(cls, calendar: ServiceCalendar) -> CalendarForm:
        initial: dict[str, Any] = {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "always_open": calendar.always_open,
            "holiday_country": calendar.holiday_country,
            "holiday_subdivision": calendar.holiday_subdivision,
        }
        for day, ranges in calendar.windows.items():
            initial[f"day_{day}"] = format_ranges(ranges)
        return cls(initial=initial)

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day}"] for day in range(7)]

    def windows(self) -> dict[str, list[list[int]]]:
        return {
            str(day): self.cleaned_data[f"day_{day}"]
            for day in range(7)
            if self.cleaned_data.get(f"day_{day}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for day in range(7):
            key = f"day_{day}"
            if key in data:
                try:
                    data[key] = parse_ranges(data[key] or "")
                except forms.ValidationError as exc:
                    self.add_error(key, exc)
        return data


class ClosureForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class PolicyForm(forms.Form):
    effective_from = local_datetime_field(_("In force from"))
    calendar = forms.ModelChoiceField(
        label=_("Standard service hours"), queryset=ServiceCalendar.objects.all()
    )
    minutes_untriaged = forms.IntegerField(
        label=_("Not triaged (minutes)"), min_value=1, initial=60
    )
    minutes_level_1 = forms.IntegerField(label=_("Level 1 (minutes)"), min_value=1, initial=60)
    minutes_level_2 = forms.IntegerField(label=_("Level 2 (minutes)"), min_value=1, initial=300)
    minutes_level_3 = forms.IntegerField(label=_("Level 3 (minutes)"), min_value=1, initial=60)
    text_fr = forms.CharField(label=_("Text (French)"), widget=forms.Textarea(attrs={"rows": 12}))
    text_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
