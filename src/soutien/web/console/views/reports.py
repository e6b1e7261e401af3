"""Managers' reports: a period with the one before it, charts with their numbers, CSV of each table.

Every table is built once (`_tables`) and shown, charted and exported from that one build; a
figure that counts requests links to them in the queue (`?report=...`, see
`soutien.reports.desk.requests_behind`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from soutien.contracts import selectors as contracts_selectors
from soutien.contracts.models import HourBank
from soutien.core.errors import InvalidInput
from soutien.kb import selectors as kb
from soutien.reports import desk, selectors
from soutien.reports.charts import Series, bar_chart, line_chart
from soutien.reports.exports import csv_text
from soutien.reports.periods import Period, current_month, period_of
from soutien.satisfaction import selectors as satisfaction_selectors
from soutien.satisfaction import services as satisfaction_services
from soutien.satisfaction.models import Guarantee, Rating
from soutien.web.access import current_user, manager_required
from soutien.web.forms import reporting

PAGES = {
    "sla": gettext_lazy("Service levels"),
    "hours": gettext_lazy("Hours and banks"),
    "team": gettext_lazy("Team"),
    "kb": gettext_lazy("Knowledge base"),
    "satisfaction": gettext_lazy("Satisfaction"),
}


@dataclass
class Cell:
    value: object
    text: str = ""
    href: str = ""

    def __post_init__(self) -> None:
        if not self.text:
            self.text = "—" if self.value is None else str(self.value)


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: SafeString | None = None
    help: str = ""


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


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{formats.number_format(value * 100, 1)} %"


def _minutes(value: int | None) -> str:
    if value is None:
        return "—"
    hours, minutes = divmod(value, 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def _queue(period: Period | None, **params: object) -> str:
    query: dict[str, object] = {"queue": "all"}
    if period is not None:
        query.update({"from": period.first.isoformat(), "to": period.last.isoformat()})
    query.update({k: v for k, v in params.items() if v is not None})
    return f"{reverse('console:queue')}?{urlencode(query)}"


def _day(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


# --- Service levels -------------------------------------------------------------------------


def _sla_table(period: Period, previous: Period, group_by: str, measure: str) -> Table:
    titles = {
        "level": _("by level"),
        "month": _("by month"),
        "organization": _("by organization"),
        "technician": _("by technician"),
    }
    what = _("First response") if measure == "first_response" else _("Resolution target")
    rows = selectors.sla_attainment(period, group_by=group_by, measure=measure)
    before = {
        r.key: r for r in selectors.sla_attainment(previous, group_by=group_by, measure=measure)
    }

    def link(key: str, outcome: str | None) -> str:
        return _queue(
            period, report="sla", measure=measure, group_by=group_by, key=key, outcome=outcome
        )

    table = Table(
        slug=f"sla-{measure.replace('_', '-')}-{group_by}",
        title=f"{what} — {titles[group_by]}",
        columns=[
            _("Group"),
            _("Due"),
            _("Met"),
            _("Breached"),
            _("Pending"),
            _("Attainment"),
            _("Previous period"),
        ],
    )
    for r in rows:
        prior = before.get(r.key)
        prior_rate = prior.attainment if prior else None
        table.rows.append(
            [
                Cell(r.label),
                Cell(r.total, href=link(r.key, None)),
                Cell(r.met, href=link(r.key, "met")),
                Cell(r.breached, href=link(r.key, "breached")),
                Cell(r.pending, href=link(r.key, "pending")),
                Cell(r.attainment, _percent(r.attainment)),
                Cell(prior_rate, _percent(prior_rate)),
            ]
        )
    if group_by in ("level", "month") and rows:
        values = [None if r.attainment is None else r.attainment * 100 for r in rows]
        chart = line_chart if group_by == "month" else bar_chart
        series = [Series(_("This period"), values)]
        if group_by == "level":
            series.append(
                Series(
                    _("Previous period"),
                    [
                        None
                        if (p := before.get(r.key)) is None or p.attainment is None
                        else p.attainment * 100
                        for r in rows
                    ],
                )
            )
        table.chart = chart(
            title=table.title,
            description=_("Share of requests answered by their due time, in percent."),
            labels=[r.label for r in rows],
            series=series,
            unit=" %",
            top=100,
        )
    return table


def _first_response_table(period: Period) -> Table:
    found = selectors.first_response_times(period)
    table = Table(
        slug="first-response",
        title=_("Time to first response"),
        columns=[_("Up to"), _("Requests (service time)"), _("Requests (clock time)")],
        help=_(
            "Median %(median)s, 90th percentile %(p90)s of service time on the calendar that "
            "governed each request; median %(clock_median)s, 90th percentile %(clock_p90)s of "
            "clock time; %(count)s requests received in the period and answered."
        )
        % {
            "median": _minutes(found.service.median_minutes),
            "p90": _minutes(found.service.p90_minutes),
            "clock_median": _minutes(found.clock.median_minutes),
            "clock_p90": _minutes(found.clock.p90_minutes),
            "count": found.service.count,
        },
    )
    labels = []
    for service, clock in zip(found.service.histogram, found.clock.histogram, strict=True):
        label = _minutes(service.upper_minutes) if service.upper_minutes else _("more")
        labels.append(label)
        table.rows.append(
            [Cell(service.upper_minutes, label), Cell(service.count), Cell(clock.count)]
        )
    table.chart = bar_chart(
        title=table.title,
        description=_("Number of requests by time to first response, service and clock time."),
        labels=labels,
        series=[
            Series(_("Service time"), [b.count for b in found.service.histogram]),
            Series(_("Clock time"), [b.count for b in found.clock.histogram]),
        ],
    )
    return table


def _backlog_table() -> Table:
    found = desk.backlog_by_level_and_age()
    ages = [name for name, _low, _high in desk.AGES]
    table = Table(
        slug="backlog",
        title=_("Backlog by level and age (days since received), now"),
        columns=[_("Level"), *[_("%(age)s days") % {"age": a} for a in ages], _("Total")],
    )
    for level, counts in found.items():
        label = _("Not triaged") if level == "none" else _("Level %(level)s") % {"level": level}
        row = [Cell(label)]
        for age in ages:
            row.append(Cell(counts[age], href=_queue(None, report="backlog", level=level, age=age)))
        row.append(Cell(sum(counts.values()), href=_queue(None, report="backlog", level=level)))
        table.rows.append(row)
    table.chart = bar_chart(
        title=table.title,
        description=_("Active requests of each level, by age."),
        labels=[row[0].text for row in table.rows],
        series=[Series(_("%(age)s days") % {"age": a}, [found[k][a] for k in found]) for a in ages],
    )
    return table


def _breaches_table(period: Period) -> Table:
    rows = (
        desk.breached(period)
        .select_related("organization", "assignee")
        .order_by("first_response_due")
    )
    table = Table(
        slug="breaches",
        title=_("Breached first responses"),
        columns=[
            _("Request"),
            _("Organization"),
            _("Level"),
            _("Due"),
            _("Answered"),
            _("Assignee"),
        ],
    )
    zone = timezone.get_current_timezone()
    for t in rows[:200]:
        assert t.first_response_due is not None  # a breach has a due time
        table.rows.append(
            [
                Cell(t.pk, f"#{t.number}", reverse("console:ticket", args=[t.pk])),
                Cell(t.organization.name),
                Cell(t.level),
                Cell(t.first_response_due.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
                Cell(
                    t.first_responded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                    if t.first_responded_at
                    else None
                ),
                Cell(t.assignee.display_name if t.assignee else None),
            ]
        )
    return table


# --- Hours ----------------------------------------------------------------------------------


def _hours_tables(period: Period, language: str) -> list[Table]:
    months = selectors.hours_by_month(period)
    hours = Table(
        slug="hours",
        title=_("Hours by organization and month"),
        columns=[
            _("Organization"),
            _("Month"),
            _("Logged (min)"),
            _("From banks (min)"),
            _("Overage, billable (min)"),
            _("Quoted (min)"),
        ],
    )
    for m in months:
        hours.rows.append(
            [
                Cell(
                    m.organization, href=reverse("console:organization", args=[m.organization_id])
                ),
                Cell(m.month),
                Cell(m.logged_minutes, _minutes(m.logged_minutes)),
                Cell(sum(m.banks.values()), _minutes(sum(m.banks.values()))),
                Cell(m.overage_minutes, _minutes(m.overage_minutes)),
                Cell(m.quoted_minutes, _minutes(m.quoted_minutes)),
            ]
        )
    month_keys = sorted({m.month for m in months})
    if month_keys:
        hours.chart = bar_chart(
            title=_("Hours by month, the whole desk"),
            description=_("Hours drawn from banks and billable overage, by month."),
            labels=month_keys,
            series=[
                Series(
                    _("From banks"),
                    [
                        sum(sum(m.banks.values()) for m in months if m.month == k) / 60
                        for k in month_keys
                    ],
                ),
                Series(
                    _("Overage"),
                    [
                        sum(m.overage_minutes for m in months if m.month == k) / 60
                        for k in month_keys
                    ],
                ),
            ],
            unit=" h",
        )
    banks = Table(
        slug="banks",
        title=_("Bank balances and when they run out"),
        columns=[
            _("Organization"),
            _("Bank"),
            _("Valid until"),
            _("Total (min)"),
            _("Used (min)"),
            _("Left (min)"),
            _("Drawn, last 90 days (min)"),
            _("Runs out on"),
        ],
        help=_(
            "At the rate of the last 90 days; no date when nothing was drawn, the bank is empty "
            "or it expires first."
        ),
    )
    for b in selectors.bank_balances(period):
        bank = b.bank
        banks.rows.append(
            [
                Cell(
                    bank.organization.name,
                    href=reverse("console:organization", args=[bank.organization_id]),
                ),
                Cell(bank.label(language)),
                Cell(bank.valid_until.isoformat(), _day(bank.valid_until)),
                Cell(bank.total_minutes, _minutes(bank.total_minutes)),
                Cell(bank.used_minutes, _minutes(bank.used_minutes)),
                Cell(bank.left_minutes, _minutes(bank.left_minutes)),
                Cell(b.drawn_recently, _minutes(b.drawn_recently)),
                Cell(b.depletes_on.isoformat() if b.depletes_on else None, _day(b.depletes_on)),
            ]
        )
    return [hours, banks]


# --- Team -----------------------------------------------------------------------------------


def _team_tables(period: Period, previous: Period) -> list[Table]:
    load = desk.workload(period)
    workload = Table(
        slug="workload",
        title=_("Technicians' workload"),
        columns=[_("Technician"), _("Open now"), _("Requests answered"), _("Time logged (min)")],
    )
    for w in load:
        workload.rows.append(
            [
                Cell(w.technician.display_name),
                Cell(w.open),
                Cell(w.answered),
                Cell(w.minutes, _minutes(w.minutes)),
            ]
        )
    if load:
        workload.chart = bar_chart(
            title=workload.title,
            description=_("Open requests now and requests answered in the period, per technician."),
            labels=[w.technician.display_name for w in load],
            series=[
                Series(_("Open now"), [w.open for w in load]),
                Series(_("Requests answered"), [w.answered for w in load]),
            ],
        )
    rates = Table(
        slug="quality",
        title=_("Reopened and one-touch resolutions"),
        columns=[_("Figure"), _("Requests"), _("Out of"), _("Rate"), _("Previous period")],
        help=_(
            "Reopened: resolved in the period, then reopened. One touch: resolved in the period "
            "(and still resolved) with exactly one response to the client."
        ),
    )
    for label, report, now, before in (
        (_("Reopened"), "reopened", desk.reopen_rate(period), desk.reopen_rate(previous)),
        (
            _("One-touch resolution"),
            "one-touch",
            desk.one_touch_rate(period),
            desk.one_touch_rate(previous),
        ),
    ):
        rates.rows.append(
            [
                Cell(label),
                Cell(now.part, href=_queue(period, report=report)),
                Cell(now.whole),
                Cell(now.rate, _percent(now.rate)),
                Cell(before.rate, _percent(before.rate)),
            ]
        )
    return [workload, rates]


# --- Knowledge base -------------------------------------------------------------------------


def _kb_tables(period: Period) -> list[Table]:
    top = Table(
        slug="kb-top",
        title=_("Top articles"),
        columns=[_("Article"), _("Language"), _("Views"), _("Helpful"), _("Not helpful")],
    )
    for t in kb.top_articles(days=period.days, today=period.last):
        top.rows.append(
            [
                Cell(t.article.title, href=reverse("console:kb_article", args=[t.article.pk])),
                Cell(t.article.language.upper()),
                Cell(t.views),
                Cell(t.helpful),
                Cell(t.unhelpful),
            ]
        )
    misses = Table(
        slug="kb-misses",
        title=_("Searches with no result"),
        columns=[_("Search"), _("Language"), _("Times with no result")],
    )
    for m in kb.searches_without_result(days=period.days, today=period.last):
        misses.rows.append([Cell(m["query"]), Cell(str(m["language"]).upper()), Cell(m["misses"])])
    weeks = list(
        reversed(kb.deflection_by_week(weeks=max(1, min(52, period.days // 7)), today=period.last))
    )
    deflection = Table(
        slug="kb-deflection",
        title=_("Deflection rate by week"),
        columns=[
            _("Week of"),
            _("Suggestions opened"),
            _("Deflections"),
            _("Requests filed"),
            _("Deflection rate"),
        ],
        help=_(
            "A deflection: a client opened a suggested article from the new-request form and left "
            "without filing. Rate = deflections ÷ (deflections + requests filed from the form)."
        ),
    )
    for w in weeks:
        deflection.rows.append(
            [
                Cell(w.week.isoformat(), _day(w.week)),
                Cell(w.opened),
                Cell(w.deflected),
                Cell(w.filed),
                Cell(None if w.rate is None else round(w.rate, 4), _percent(w.rate)),
            ]
        )
    if weeks:
        deflection.chart = line_chart(
            title=deflection.title,
            description=_("Share of would-be requests a suggested article answered, per week."),
            labels=[_day(w.week) for w in weeks],
            series=[
                Series(
                    _("Deflection rate"), [None if w.rate is None else w.rate * 100 for w in weeks]
                )
            ],
            unit=" %",
            top=100,
        )
    return [top, misses, deflection]


def _satisfaction_tables(period: Period, previous: Period) -> list[Table]:
    found = selectors.satisfaction(period)
    before = selectors.satisfaction(previous)
    months = Table(
        slug="satisfaction",
        title=_("Satisfaction ratings by month"),
        columns=[_("Month"), _("Good"), _("Bad"), _("Share good")],
        help=_(
            "Ratings as they stand, by the month they were given or last changed. "
            "This period: %(now)s good; previous period: %(before)s."
        )
        % {"now": _percent(found.score), "before": _percent(before.score)},
    )
    for m in found.months:
        total = m.good + m.bad
        share = round(m.good / total, 4) if total else None
        months.rows.append([Cell(m.month), Cell(m.good), Cell(m.bad), Cell(share, _percent(share))])
    if found.months:
        months.chart = bar_chart(
            title=months.title,
            description=_("Good and bad ratings, by month."),
            labels=[m.month for m in found.months],
            series=[
                Series(_("Good"), [m.good for m in found.months]),
                Series(_("Bad"), [m.bad for m in found.months]),
            ],
        )
    follow_ups = Table(
        slug="follow-ups",
        title=_("Bad ratings to follow up"),
        columns=[_("Request"), _("Organization"), _("Rated on"), _("What went wrong")],
        help=_("Call the client back, then close the follow-up below, saying what was done."),
    )
    for rating in satisfaction_selectors.open_follow_ups()[:200]:
        follow_ups.rows.append(
            [
                Cell(
                    rating.ticket_id,
                    f"#{rating.ticket_id}",
                    reverse("console:ticket", args=[rating.ticket_id]),
                ),
                Cell(rating.organization.name),
                Cell(rating.updated_at.date().isoformat(), _day(rating.updated_at.date())),
                Cell(rating.comment),
            ]
        )
    return [months, follow_ups]


def _tables(page: str, period: Period, language: str) -> list[Table]:
    previous = period.previous()
    if page == "sla":
        return [
            _sla_table(period, previous, "level", "first_response"),
            _sla_table(period, previous, "month", "first_response"),
            _sla_table(period, previous, "organization", "first_response"),
            _sla_table(period, previous, "technician", "first_response"),
            _sla_table(period, previous, "level", "resolution"),
            _first_response_table(period),
            _backlog_table(),
            _breaches_table(period),
        ]
    if page == "hours":
        return _hours_tables(period, language)
    if page == "team":
        return _team_tables(period, previous)
    if page == "satisfaction":
        return _satisfaction_tables(period, previous)
    return _kb_tables(period)


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
            _percent(now.attainment if now else None),
            _percent(before.attainment if before else None),
            _queue(period, report="sla", measure="first_response", outcome="met"),
        ),
        Headline(
            _("Breaches"),
            str(now.breached if now else 0),
            str(before.breached if before else 0),
            _queue(period, report="breaches"),
        ),
        Headline(
            _("Median first response (service time)"),
            _minutes(times.median_minutes),
            _minutes(times_before.median_minutes),
            _queue(period, report="first-response"),
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


@manager_required
@require_POST
def rating_follow_up(request: HttpRequest, rating_id: int) -> HttpResponse:
    """A manager closes the follow-up of a bad rating, with what was done."""
    rating = get_object_or_404(Rating, pk=rating_id)
    with reporting(request, _("Follow-up closed.")):
        satisfaction_services.follow_up_close(
            actor=current_user(request), rating=rating, note=request.POST.get("note", "")
        )
    return redirect(reverse("console:report", args=["satisfaction"]) + "#follow-ups")


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


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return -1


@manager_required
@require_POST
def guarantee_decide(request: HttpRequest, guarantee_id: int) -> HttpResponse:
    """A manager grants (with a credit or overage waived) or refuses a guarantee."""
    guarantee = get_object_or_404(Guarantee, pk=guarantee_id)
    bank_id = _int(request.POST.get("bank"))
    bank = HourBank.objects.filter(pk=bank_id, organization_id=guarantee.organization_id).first()
    grant = request.POST.get("decision") == "grant"
    done = _("Guarantee granted.") if grant else _("Guarantee refused.")
    with reporting(request, done):
        credit, waive = _int(request.POST.get("minutes")), _int(request.POST.get("waive"))
        if credit < 0 or waive < 0:
            raise InvalidInput(_("Give whole minutes."), field="minutes")
        satisfaction_services.guarantee_decide(
            actor=current_user(request),
            guarantee=guarantee,
            grant=grant,
            note=request.POST.get("note", ""),
            bank=bank,
            credit_minutes=credit if grant else 0,
            waived_overage_minutes=waive if grant else 0,
        )
    return redirect(reverse("console:report", args=["satisfaction"]) + "#guarantees")
