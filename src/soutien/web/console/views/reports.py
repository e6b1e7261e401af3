"""Managers' reports: a period with the one before it, charts with their numbers, CSV of each table.

Every table is built once (`_tables`) and shown, charted and exported from that one build; a
figure that counts requests links to them in the queue (`?report=...`, see
`soutien.reports.desk.requests_behind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from soutien.contracts import selectors as contracts_selectors
from soutien.core.errors import InvalidInput
from soutien.reports import selectors
from soutien.reports.exports import csv_text, pdf_from_html
from soutien.reports.periods import Period, current_month, period_of
from soutien.satisfaction import selectors as satisfaction_selectors
from soutien.web.access import manager_required
from soutien.web.console.views.report_tables import (
    Table,
    backlog_table,
    breaches_table,
    first_response_table,
    hours_tables,
    kb_tables,
    minutes,
    percent,
    queue,
    satisfaction_tables,
    sla_table,
    team_tables,
)

PAGES = {
    "sla": gettext_lazy("Service levels"),
    "hours": gettext_lazy("Hours and banks"),
    "team": gettext_lazy("Team"),
    "kb": gettext_lazy("Knowledge base"),
    "satisfaction": gettext_lazy("Satisfaction"),
}


class PeriodForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=date_input)
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=date_input)

    def period(self) -> Period:
        """The period asked for, this month so far without one; an error is put on the form."""
        if not self.is_valid():
            return current_month()
        try:
            return period_of(self.cleaned_data.get("from"), self.cleaned_data.get("to"))
        except InvalidInput as error:
            self.add_error("to", error.message)
            return current_month()


def _tables(page: str, period: Period, language: str) -> list[Table]:
    previous = period.previous()
    if page == "sla":
        return [
            sla_table(period, previous, "level", "first_response"),
            sla_table(period, previous, "month", "first_response"),
            sla_table(period, previous, "organization", "first_response"),
            sla_table(period, previous, "technician", "first_response"),
            sla_table(period, previous, "level", "resolution"),
            first_response_table(period),
            backlog_table(),
            breaches_table(period),
        ]
    if page == "hours":
        return hours_tables(period, language)
    if page == "team":
        return team_tables(period, previous)
    if page == "satisfaction":
        return satisfaction_tables(period, previous)
    return kb_tables(period)


@dataclass(frozen=True)
class Headline:
    label: str
    now: str
    before: str
    href: str = ""


def _headlines(period: Period) -> list[Headline]:
    previous = period.previous()

    def overall(p: Period) -> selectors.Attainment | None:
        rows = selectors.sla_attainment(p, group_by="level")
        met = sum(r.met for r in rows)
        breached = sum(r.breached for r in rows)
        return selectors.Attainment("all", "", met, breached, 0)

    now, before = overall(period), overall(previous)
    times = selectors.first_response_times(period).service
    times_before = selectors.first_response_times(previous).service
    return [
        Headline(
            _("First responses on time"),
            percent(now.attainment if now else None),
            percent(before.attainment if before else None),
            queue(period, report="sla", measure="first_response", outcome="met"),
        ),
        Headline(
            _("Breaches"),
            str(now.breached if now else 0),
            str(before.breached if before else 0),
            queue(period, report="breaches"),
        ),
        Headline(
            _("Median first response (service time)"),
            minutes(times.median_minutes),
            minutes(times_before.median_minutes),
            queue(period, report="first-response"),
        ),
    ]


def _period_form(request: HttpRequest) -> tuple[PeriodForm, Period]:
    """The period picker and its period; unbound, it shows this month so far."""
    if request.GET:
        form = PeriodForm(request.GET)
        return form, form.period()
    period = current_month()
    return PeriodForm(initial={"from": period.first, "to": period.last}), period


@manager_required
def report_page(request: HttpRequest, page: str = "sla") -> HttpResponse:
    if page not in PAGES:
        raise Http404
    form, period = _period_form(request)
    context = {
        "pages": PAGES,
        "page": page,
        "form": form,
        "period": period,
        "previous": period.previous(),
        "tables": _tables(page, period, get_language()),
        "headlines": _headlines(period) if page == "sla" else [],
        "follow_ups": (
            list(satisfaction_selectors.open_follow_ups()[:50]) if page == "satisfaction" else []
        ),
        "pending_guarantees": _pending(page),
        "query": urlencode({"from": period.first.isoformat(), "to": period.last.isoformat()}),
    }
    status = 400 if form.errors else 200
    return render(request, "console/reports/page.html", context, status=status)


@manager_required
def report_pdf(request: HttpRequest, page: str) -> HttpResponse:
    """The page's tables, charts and headline figures as a PDF, for the chosen period."""
    if page not in PAGES:
        raise Http404
    form, period = _period_form(request)
    if form.errors:
        return report_page(request, page)
    language = get_language() or "fr"
    html = render_to_string(
        "console/reports/page_pdf.html",
        {
            "title": PAGES[page],
            "period": period,
            "previous": period.previous(),
            "tables": _tables(page, period, language),
            "headlines": _headlines(period) if page == "sla" else [],
            "LANGUAGE_CODE": language,
        },
    )
    response = HttpResponse(pdf_from_html(html), content_type="application/pdf")
    name = f"{page}-{period.first.isoformat()}-{period.last.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@manager_required
def report_csv(request: HttpRequest, page: str, table: str) -> HttpResponse:
    if page not in PAGES:
        raise Http404
    _form, period = _period_form(request)
    for found in _tables(page, period, get_language()):
        if found.slug == table:
            body = csv_text(found.columns, ([cell.value for cell in row] for row in found.rows))
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
            name = f"{table}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    raise Http404


def _pending(page: str) -> list[dict[str, object]]:
    """Guarantees to decide, each with the organization's banks to credit."""
    if page != "satisfaction":
        return []
    pending = list(satisfaction_selectors.pending_guarantees()[:50])
    banks = contracts_selectors.banks_by_organization({g.organization_id for g in pending})
    return [
        {
            "guarantee": g,
            "banks": [(b.pk, b.label(get_language())) for b in banks.get(g.organization_id, [])],
        }
        for g in pending
    ]
