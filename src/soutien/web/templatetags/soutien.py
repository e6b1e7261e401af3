"""Small display helpers for the portal and console templates."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

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
    title = date_format(timezone.localtime(due), "DATETIME_FORMAT") if due else ""
    return format_html('<span class="clock clock-{}" title="{}">{}</span>', state, title, text)


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
            date_format(local_due, "SHORT_DATETIME_FORMAT"),
        )
    assert ticket.organization is not None
    return format_html(
        '<tr><td>#{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
        '<td><span class="status status-{}">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        ticket.number,
        reverse("console:ticket", args=[ticket.pk]),
        ticket.subject,
        ticket.organization.name,
        ticket.level or "—",
        ticket.status,
        status_label(ticket.status),
        ticket.assignee.display_name if ticket.assignee else "—",
        due_cell,
        sla_clock(ticket),
    )


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
