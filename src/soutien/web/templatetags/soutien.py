"""Small display helpers for the portal and console templates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from soutien.agreements import documents
from soutien.core.dates import day_text, moment_text
from soutien.presence.selectors import Someone
from soutien.sla.models import ServiceCalendar
from soutien.ticketing.models import Channel, Status, Ticket

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def channel_label(value: str) -> str:
    try:
        return str(Channel(value).label)
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def governing_terms(context: template.Context, ticket: Ticket) -> str:
    """The terms that govern a request's due time, in the reader's language."""
    return ticket.governing_terms(get_language() or "fr")


@register.simple_tag
def resolution_terms(ticket: Ticket) -> str:
    """What set the request's resolution target (an agreement and its version), in their words."""
    return ticket.resolution_terms_text(get_language() or "fr")


def duration_text(seconds: int) -> str:
    """Service time as people say it: "2 h 05 min", "45 min"."""
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


@register.simple_tag
def sla_clock(ticket: Ticket) -> str:
    """Service time left before the first response is due, or how late it is.

    Views set `ticket.clock_seconds` (see `soutien.web.clock`) so a page costs no query per
    row; the markup is built here rather than in an included template, once per row of a queue.
    """
    seconds = getattr(ticket, "clock_seconds", None)
    if ticket.first_responded_at is not None:
        state = "late" if ticket.sla_breached() else "answered"
        text = _("answered late") if state == "late" else _("answered on time")
    elif seconds is not None and ticket.is_active:
        state = "overdue" if seconds < 0 else ("soon" if seconds <= 15 * 60 else "running")
        if state == "overdue":
            text = _("overdue by %(text)s") % {"text": duration_text(seconds)}
        else:
            text = _("%(text)s left") % {"text": duration_text(seconds)}
    else:
        state, text = "none", "—"
    due = ticket.first_response_due
    title = moment_text(due) if due else ""
    return format_html('<span class="clock clock-{}" title="{}">{}</span>', state, title, text)


def days_text(seconds: int) -> str:
    """Real time as people say it for a promise days away: "12 d", "2 d 05 h", "3 h 10 min"."""
    minutes = abs(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    if days >= 3:
        return _("%(d)d d") % {"d": days}
    if days:
        return _("%(d)d d %(h)02d h") % {"d": days, "h": minutes // 60}
    return duration_text(seconds)


@register.simple_tag
def resolution_clock(ticket: Ticket) -> str:
    """Time left before the promised resolution (an accepted agreement's delivery), or how late.

    Empty when the request has no resolution target. Views set `ticket.resolution_seconds`.
    """
    due = ticket.resolution_due
    if due is None:
        return ""
    seconds = getattr(ticket, "resolution_seconds", None)
    if seconds is None or not ticket.is_active:
        state, text = "answered", day_text(due)
    elif seconds < 0:
        state, text = "overdue", _("overdue by %(text)s") % {"text": days_text(seconds)}
    else:
        state = "soon" if seconds <= 24 * 3600 else "running"
        text = _("%(text)s left") % {"text": days_text(seconds)}
    return format_html(
        '<span class="clock clock-{} resolution" title="{}">{} {}</span>',
        state,
        ticket.resolution_terms_text(get_language() or "fr"),
        _("Resolution:"),
        text,
    )


AGREEMENT_STEPS = {
    "create": gettext_lazy("wrote development agreement no. %(n)s (version %(v)s)"),
    "revise": gettext_lazy("made version %(v)s of development agreement no. %(n)s"),
    "propose": gettext_lazy("proposed agreement no. %(n)s, version %(v)s, to the development lead"),
    "approve": gettext_lazy("approved agreement no. %(n)s, version %(v)s"),
    "reject": gettext_lazy("sent agreement no. %(n)s, version %(v)s, back to its author"),
    "send": gettext_lazy("sent development agreement no. %(n)s, version %(v)s, to the client"),
    "accept": gettext_lazy("accepted development agreement no. %(n)s, version %(v)s"),
    "decline": gettext_lazy("declined development agreement no. %(n)s, version %(v)s"),
    "start": gettext_lazy("started the production of agreement no. %(n)s"),
    "deliver": gettext_lazy("delivered the development of agreement no. %(n)s"),
    "confirm": gettext_lazy("confirmed the delivery of agreement no. %(n)s"),
    "dispute": gettext_lazy("disputed the delivery of agreement no. %(n)s"),
    "cancel": gettext_lazy("cancelled development agreement no. %(n)s"),
    "milestone_done": gettext_lazy("marked milestone “%(title)s” of agreement no. %(n)s done"),
}


@register.filter
def agreement_step(data: dict[str, object]) -> str:
    """A development agreement's step in a request's history, in the reader's language."""
    if data.get("automatic"):
        text = _("took the delivery of agreement no. %(n)s as confirmed (no answer in time)")
    else:
        text = str(AGREEMENT_STEPS.get(str(data.get("step")), _("changed agreement no. %(n)s")))
    text = text % {"n": data.get("agreement"), "v": data.get("version"), "title": data.get("title")}
    reason = data.get("reason")
    return f"{text} — {reason}" if reason else text


@register.filter
def money(amount: Decimal | None) -> str:
    """An amount in Canadian dollars as the reader's language writes it."""
    return documents.money(amount, get_language() or "fr") if amount is not None else "—"


@register.filter
def parse_moment(value: object) -> datetime | None:
    """An ISO 8601 moment kept in a history entry, as a datetime for the `date` filter."""
    return parse_datetime(str(value)) if value else None


def people_on(people: Iterable[Someone]) -> str:
    """Who else has a request open, under its subject in a queue ("Tina (typing)")."""
    names = [_("%(name)s (typing)") % {"name": p.name} if p.typing else p.name for p in people]
    if not names:
        return ""
    return format_html('<br><small class="on-it">{} {}</small>', _("On it:"), ", ".join(names))


@register.simple_tag
def queue_row(ticket: Ticket) -> str:
    """One row of a console queue.

    Built here rather than in the template: a queue page shows 25 of them, and the template
    language spent more time resolving the row's variables than the rest of the page took.
    """
    due = ticket.first_response_due
    due_cell: str = "—"
    if due is not None:
        local_due = timezone.localtime(due)
        due_cell = format_html(
            '<time datetime="{}">{}</time>',
            local_due.isoformat(),
            moment_text(local_due),
        )
    assert ticket.organization is not None
    return format_html(
        '<tr><td>#{}</td><td><a href="{}">{}</a>{}{}</td><td>{}</td><td>{}</td>'
        '<td><span class="status status-{}">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        ticket.number,
        reverse("console:ticket", args=[ticket.pk]),
        ticket.subject,
        people_on(getattr(ticket, "people_on", ())),
        _guarantee_due(getattr(ticket, "decide_by", None)),
        ticket.organization.name,
        ticket.level or "—",
        ticket.status,
        status_label(ticket.status),
        ticket.assignee.display_name if ticket.assignee else "—",
        due_cell,
        format_html("{}<br>{}", sla_clock(ticket), resolution_clock(ticket))
        if ticket.resolution_due
        else sla_clock(ticket),
    )


def _guarantee_due(decide_by: datetime | None) -> str:
    """In the queue of guarantees awaiting a decision: when the decision is due, or overdue."""
    if decide_by is None:
        return ""
    local = timezone.localtime(decide_by)
    if timezone.now() > decide_by:
        text = _("Guarantee: decision overdue since %(at)s") % {"at": moment_text(local)}
        return format_html('<br><strong class="clock-late">{}</strong>', text)
    text = _("Guarantee: decision due by %(at)s") % {"at": moment_text(local)}
    return format_html('<br><small class="help">{}</small>', text)


WEEKDAY_ABBREVIATIONS = [
    pgettext_lazy("weekday abbreviation", "Mon"),
    pgettext_lazy("weekday abbreviation", "Tue"),
    pgettext_lazy("weekday abbreviation", "Wed"),
    pgettext_lazy("weekday abbreviation", "Thu"),
    pgettext_lazy("weekday abbreviation", "Fri"),
    pgettext_lazy("weekday abbreviation", "Sat"),
    pgettext_lazy("weekday abbreviation", "Sun"),
]


@register.filter
def week_bars(calendar: ServiceCalendar) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each weekday with its open ranges as (left %, width %) of the day, for a small picture."""
    by_day = calendar.windows_by_day()
    return [
        (
            str(WEEKDAY_ABBREVIATIONS[day]),
            [(round(s / 14.4, 2), round((e - s) / 14.4, 2)) for s, e in by_day.get(day, [])],
        )
        for day in range(7)
    ]


@register.filter
def hours_minutes(minutes: int | None) -> str:
    """Integer minutes as people read them: 90 -> "1 h 30", 45 -> "45 min"."""
    if minutes is None:
        return "—"
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(int(minutes)), 60)
    if not hours:
        return f"{sign}{rest} min"
    return f"{sign}{hours} h {rest:02d}"


@register.filter
def bank_label(bank: object) -> str:
    """An hour bank's name in the reader's language."""
    return bank.label(get_language() or "fr")  # type: ignore[attr-defined]


@register.filter
def listify(value: object) -> list[object]:
    return [value]


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key)


@register.filter
def parse_iso(value: object) -> datetime | None:
    """A moment stored as ISO 8601 text (in a history entry), for the date filters."""
    return parse_datetime(value) if isinstance(value, str) else None
