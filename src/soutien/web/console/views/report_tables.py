"""The tables of the managers' reports: built once, then shown, charted and exported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from soutien.kb import selectors as kb
from soutien.reports import desk, selectors
from soutien.reports.charts import Series, bar_chart, line_chart
from soutien.reports.periods import Period
from soutien.satisfaction import selectors as satisfaction_selectors


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


def percent(value: float | None) -> str:
    return "—" if value is None else f"{formats.number_format(value * 100, 1)} %"


def minutes(value: int | None) -> str:
    if value is None:
        return "—"
    hours, minutes = divmod(value, 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def queue(period: Period | None, **params: object) -> str:
    query: dict[str, object] = {"queue": "all"}
    if period is not None:
        query.update({"from": period.first.isoformat(), "to": period.last.isoformat()})
    query.update({k: v for k, v in params.items() if v is not None})
    return f"{reverse('console:queue')}?{urlencode(query)}"


def day(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


# --- Service levels -------------------------------------------------------------------------


def sla_table(period: Period, previous: Period, group_by: str, measure: str) -> Table:
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
        return queue(
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
                Cell(r.attainment, percent(r.attainment)),
                Cell(prior_rate, percent(prior_rate)),
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


def first_response_table(period: Period) -> Table:
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
            "median": minutes(found.service.median_minutes),
            "p90": minutes(found.service.p90_minutes),
            "clock_median": minutes(found.clock.median_minutes),
            "clock_p90": minutes(found.clock.p90_minutes),
            "count": found.service.count,
        },
    )
    labels = []
    for service, clock in zip(found.service.histogram, found.clock.histogram, strict=True):
        label = minutes(service.upper_minutes) if service.upper_minutes else _("more")
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


def backlog_table() -> Table:
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
            row.append(Cell(counts[age], href=queue(None, report="backlog", level=level, age=age)))
        row.append(Cell(sum(counts.values()), href=queue(None, report="backlog", level=level)))
        table.rows.append(row)
    table.chart = bar_chart(
        title=table.title,
        description=_("Active requests of each level, by age."),
        labels=[row[0].text for row in table.rows],
        series=[Series(_("%(age)s days") % {"age": a}, [found[k][a] for k in found]) for a in ages],
    )
    return table


def breaches_table(period: Period) -> Table:
    rows = desk.first_breaches(period, limit=200)
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
    for t in rows:
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


def hours_tables(period: Period, language: str) -> list[Table]:
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
                Cell(m.logged_minutes, minutes(m.logged_minutes)),
                Cell(sum(m.banks.values()), minutes(sum(m.banks.values()))),
                Cell(m.overage_minutes, minutes(m.overage_minutes)),
                Cell(m.quoted_minutes, minutes(m.quoted_minutes)),
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
                Cell(bank.valid_until.isoformat(), day(bank.valid_until)),
                Cell(bank.total_minutes, minutes(bank.total_minutes)),
                Cell(bank.used_minutes, minutes(bank.used_minutes)),
                Cell(bank.left_minutes, minutes(bank.left_minutes)),
                Cell(b.drawn_recently, minutes(b.drawn_recently)),
                Cell(b.depletes_on.isoformat() if b.depletes_on else None, day(b.depletes_on)),
            ]
        )
    return [hours, banks]


# --- Team -----------------------------------------------------------------------------------


def team_tables(period: Period, previous: Period) -> list[Table]:
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
                Cell(w.minutes, minutes(w.minutes)),
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
                Cell(now.part, href=queue(period, report=report)),
                Cell(now.whole),
                Cell(now.rate, percent(now.rate)),
                Cell(before.rate, percent(before.rate)),
            ]
        )
    return [workload, rates]


# --- Knowledge base -------------------------------------------------------------------------


def kb_tables(period: Period) -> list[Table]:
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
                Cell(w.week.isoformat(), day(w.week)),
                Cell(w.opened),
                Cell(w.deflected),
                Cell(w.filed),
                Cell(None if w.rate is None else round(w.rate, 4), percent(w.rate)),
            ]
        )
    if weeks:
        deflection.chart = line_chart(
            title=deflection.title,
            description=_("Share of would-be requests a suggested article answered, per week."),
            labels=[day(w.week) for w in weeks],
            series=[
                Series(
                    _("Deflection rate"), [None if w.rate is None else w.rate * 100 for w in weeks]
                )
            ],
            unit=" %",
            top=100,
        )
    return [top, misses, deflection]


def satisfaction_tables(period: Period, previous: Period) -> list[Table]:
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
        % {"now": percent(found.score), "before": percent(before.score)},
    )
    for m in found.months:
        total = m.good + m.bad
        share = round(m.good / total, 4) if total else None
        months.rows.append([Cell(m.month), Cell(m.good), Cell(m.bad), Cell(share, percent(share))])
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
                Cell(rating.updated_at.date().isoformat(), day(rating.updated_at.date())),
                Cell(rating.comment),
            ]
        )
    return [months, follow_ups, guarantees_table(period, found.guarantees, before.guarantees)]


def guarantees_table(period: Period, counts: dict[str, int], before: dict[str, int]) -> Table:
    """Every guarantee invoked in the period: on what, the decision, its note and credit."""
    table = Table(
        slug="guarantees-invoked",
        title=_("Satisfaction guarantees invoked"),
        columns=[
            _("Invoked on"),
            _("Organization"),
            _("On"),
            _("Reason"),
            _("Decision"),
            _("Decided on"),
            _("Minutes credited"),
            _("Overage waived"),
            _("Note"),
        ],
        help=_(
            "Invoked in this period: %(invoked)s (granted %(granted)s, refused %(refused)s, "
            "awaiting %(pending)s); previous period: %(before)s."
        )
        % {**counts, "before": before.get("invoked", 0)},
    )
    for g in satisfaction_selectors.guarantees_invoked(period.start, period.end):
        invoked = timezone.localtime(g.invoked_at).date()
        decided = timezone.localtime(g.decided_at).date() if g.decided_at else None
        if g.ticket_id is not None:
            on = Cell(g.ticket_id, f"#{g.ticket_id}", reverse("console:ticket", args=[g.ticket_id]))
        else:
            on = Cell(
                f"{g.first_day}/{g.last_day}",
                _("statement %(first)s to %(last)s")
                % {"first": day(g.first_day), "last": day(g.last_day)},
            )
        credit = g.credit
        table.rows.append(
            [
                Cell(invoked.isoformat(), day(invoked)),
                Cell(g.organization.name),
                on,
                Cell(g.reason),
                Cell(g.state, g.get_state_display()),
                Cell(decided.isoformat() if decided else None, day(decided)),
                Cell(credit.minutes if credit else 0, minutes(credit.minutes if credit else 0)),
                Cell(
                    credit.waived_overage_minutes if credit else 0,
                    minutes(credit.waived_overage_minutes if credit else 0),
                ),
                Cell(g.decision_note),
            ]
        )
    return table
