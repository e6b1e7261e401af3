"""A client administrator's figures: its organization's attainment and hours, month by month."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.reports import selectors
from soutien.reports.charts import Series, bar_chart, line_chart
from soutien.reports.models import MonthlySummaryChoice
from soutien.reports.periods import Period, today
from soutien.reports.services import monthly_summary_choose
from soutien.web.access import client_admin_required, current_user
from soutien.web.forms import reporting

MONTHS = 12


def _last_months(day: date) -> Period:
    """The last twelve months, this one included."""
    year, month = divmod(day.year * 12 + day.month - 1 - (MONTHS - 1), 12)
    return Period(date(year, month + 1, 1), day)


@client_admin_required
def organization_report(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    assert user.organization_id is not None
    period = _last_months(today())
    attainment = selectors.sla_attainment(
        period, group_by="month", organization_id=user.organization_id
    )
    hours = selectors.hours_by_month(period, organization_id=user.organization_id)
    satisfaction = selectors.satisfaction(period, organization_id=user.organization_id)
    attainment_chart = (
        line_chart(
            title=_("First responses on time, by month"),
            description=_("Share of your requests answered by their due time, in percent."),
            labels=[row.key for row in attainment],
            series=[
                Series(
                    _("On time"),
                    [None if r.attainment is None else r.attainment * 100 for r in attainment],
                )
            ],
            unit=" %",
            top=100,
        )
        if attainment
        else None
    )
    hours_chart = (
        bar_chart(
            title=_("Hours used, by month"),
            description=_("Hours drawn from your banks and billable overage, by month."),
            labels=[h.month for h in hours],
            series=[
                Series(_("From banks"), [sum(h.banks.values()) / 60 for h in hours]),
                Series(_("Overage"), [h.overage_minutes / 60 for h in hours]),
            ],
            unit=" h",
        )
        if hours
        else None
    )
    context = {
        "period": period,
        "attainment": attainment,
        "attainment_chart": attainment_chart,
        "hours": [
            {
                "month": h.month,
                "logged": h.logged_minutes,
                "banks": sum(h.banks.values()),
                "overage": h.overage_minutes,
            }
            for h in hours
        ],
        "hours_chart": hours_chart,
        "satisfaction": satisfaction,
        "summary_wanted": MonthlySummaryChoice.objects.filter(user=user).exists(),
    }
    return render(request, "portal/report.html", context)


@client_admin_required
@require_POST
def monthly_summary(request: HttpRequest) -> HttpResponse:
    """Receive (or stop) the organization's monthly summary by email, with its PDF."""
    wanted = request.POST.get("wanted") == "1"
    done = (
        _("You will receive the monthly summary by email.")
        if wanted
        else _("You will no longer receive the monthly summary.")
    )
    with reporting(request, done):
        monthly_summary_choose(actor=current_user(request), wanted=wanted)
    return redirect("portal:report")
