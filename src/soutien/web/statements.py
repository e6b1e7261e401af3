"""An organization's statement for a period, alike in the console and the portal (SPEC 4)."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from soutien.accounts.models import Organization
from soutien.contracts.statements import render_csv, render_pdf, statement_for
from soutien.contracts.terms import VENDOR_ZONE
from soutien.satisfaction.selectors import statement_guarantees
from soutien.web.forms import check_period
from soutien.web.satisfaction import GuaranteeForm

# The query: `du` and `au`, the first and last days (ISO, inclusive; default: the current month
# in the vendor's time zone), and `format`.
FORMATS = ("html", "csv", "pdf")
# Far enough for any real period, near enough that date arithmetic never overflows.
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)
MAX_YEARS = 3


def _month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 in a year without one
        return date(day.year + years, 3, 1)


class PeriodForm(forms.Form):
    """The statement's first and last days; an empty one falls in the other's month."""

    du = forms.DateField(
        label=pgettext_lazy("first day of a period", "From"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    au = forms.DateField(
        label=pgettext_lazy("last day of a period", "To"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("du"), data.get("au")
        if self.errors:
            return data
        today = timezone.now().astimezone(VENDOR_ZONE).date()
        if first is None:
            first = _month_of(last or today)[0]
        if last is None:
            last = _month_of(first)[1]
        for day in (first, last):
            if not EARLIEST <= day <= LATEST:
                raise forms.ValidationError(
                    _("Choose dates between %(earliest)s and %(latest)s."),
                    params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                )
        check_period(first, last)
        if last >= _years_after(first, MAX_YEARS):
            raise forms.ValidationError(
                _("A statement covers at most %(years)d years."), params={"years": MAX_YEARS}
            )
        data["du"], data["au"] = first, last
        return data


def statement_response(
    request: HttpRequest,
    organization: Organization,
    site: str,
    *,
    guarantee_form: GuaranteeForm | None = None,
) -> HttpResponse:
    """The statement page or download; `site` is "console" or "portal".

    `guarantee_form`: a client administrator's guarantee refused for a form error, shown again
    (with the statement of the period it was for: `du` and `au` of the form's data).
    """
    base_template = f"{site}/base.html"
    form = PeriodForm(guarantee_form.data if guarantee_form is not None else request.GET)
    output = request.GET.get("format") or "html"
    valid = form.is_valid()
    if output not in FORMATS:
        form.add_error(None, _("Choose the HTML, CSV or PDF format."))
        valid = False
    if not valid:
        context = {"base_template": base_template, "organization": organization, "form": form}
        return render(request, "web/statement.html", context, status=400)
    first, last = form.cleaned_data["du"], form.cleaned_data["au"]
    statement = statement_for(organization=organization, first_day=first, last_day=last)
    language = translation.get_language() or "fr"
    filename = f"releve-{organization.pk}-{first.isoformat()}-{last.isoformat()}.{output}"
    if output == "csv":
        response = HttpResponse(
            render_csv(statement, language), content_type="text/csv; charset=utf-8"
        )
    elif output == "pdf":
        response = HttpResponse(render_pdf(statement, language), content_type="application/pdf")
    else:
        period = {"du": first.isoformat(), "au": last.isoformat()}
        context = {
            "base_template": base_template,
            "organization": organization,
            "form": PeriodForm(initial=period),
            "statement": statement,
            "csv_query": urlencode({**period, "format": "csv"}),
            "pdf_query": urlencode({**period, "format": "pdf"}),
            "embedded": True,
            "in_console": site == "console",
            # A client administrator may invoke the satisfaction guarantee on the statement,
            # and reads here what was decided on the ones invoked so.
            "guarantee_form": (guarantee_form or GuaranteeForm()) if site == "portal" else None,
            "guarantees": statement_guarantees(organization.pk) if site == "portal" else [],
            "period": period,
        }
        return render(request, "web/statement.html", context, status=400 if guarantee_form else 200)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
