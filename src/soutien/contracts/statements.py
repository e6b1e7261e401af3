"""Statements per organization and period: time entries, hour banks and overage (SPEC 4).

`statement_for` reads; `render_csv` and `render_pdf` turn its result into downloads. An entry
belongs to the period in which its start falls, read in the vendor's time zone; all its minutes
count there, even the ones past midnight of the last day.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from soutien.accounts.models import Organization
from soutien.contracts.models import Allocation, Credit, HourBank, TimeEntry
from soutien.contracts.terms import VENDOR_ZONE

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class Minutes(int):
    """A whole number of minutes that templates can also show as hours: `{{ m.hm }}`."""

    @property
    def hm(self) -> str:
        return hours_and_minutes(self)


def hours_and_minutes(minutes: int) -> str:
    """Minutes as people read them: "1 h 30", "0 h 45", "12 h 00"."""
    hours, rest = divmod(minutes, 60)
    text = _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
    # Non-breaking spaces: an amount never wraps across two lines of a table cell.
    return text.replace(" ", "\u00a0")


@dataclass(frozen=True)
class BankLine:
    """An hour bank as the statement shows it."""

    id: int
    source: str
    label_fr: str
    label_en: str
    valid_from: date
    valid_until: date
    total_minutes: Minutes
    used_minutes: Minutes
    left_minutes: Minutes
    # Drawn by the entries of the period; `used_minutes` is everything drawn up to now.
    period_minutes: Minutes

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_fr

    @property
    def name(self) -> str:
        """The label in the active language (templates render under `translation.override`)."""
        return self.label(translation.get_language() or "fr")

    @property
    def source_label(self) -> str:
        return str(HourBank.Source(self.source).label)


@dataclass(frozen=True)
class EntryLine:
    """A time entry with the minutes it drew from each bank of the statement."""

    id: int
    started_at: datetime
    ticket_id: int
    ticket_number: str
    subject: str
    technician: str
    minutes: Minutes
    # Aligned with `Statement.banks`: drawn[i] minutes came from banks[i].
    drawn: tuple[Minutes, ...]
    overage_minutes: Minutes
    note: str
    # Why minutes were billable, when some were: "no_bank" (no hour bank in force that day),
    # "used_up" (the banks in force had no minutes left), "outside_hours" (the banks in force
    # had minutes, but their service hours did not cover those minutes); "" otherwise.
    overage_reason: str = ""

    @property
    def billable(self) -> bool:
        return self.overage_minutes > 0


@dataclass(frozen=True)
class Totals:
    minutes: Minutes
    # Aligned with `Statement.banks`.
    drawn: tuple[Minutes, ...]
    drawn_minutes: Minutes
    # Overage is what no bank covered: the billable minutes.
    overage_minutes: Minutes


@dataclass(frozen=True)
class CreditLine:
    """Minutes given back to a bank or overage waived in the period, with the manager's note."""

    granted_at: datetime
    bank_fr: str
    bank_en: str
    minutes: Minutes
    waived_overage_minutes: Minutes
    note: str

    def bank(self, language: str) -> str:
        return self.bank_en if language == "en" else self.bank_fr


@dataclass(frozen=True)
class Statement:
    organization: Organization
    first_day: date
    last_day: date
    entries: tuple[EntryLine, ...]
    banks: tuple[BankLine, ...]
    totals: Totals
    credits: tuple[CreditLine, ...] = ()

    @property
    def waived_overage_minutes(self) -> Minutes:
        return Minutes(sum(c.waived_overage_minutes for c in self.credits))


def _bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The instants where the period starts and where the day after it starts, vendor time."""
    start = datetime.combine(first_day, time.min, tzinfo=VENDOR_ZONE)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=VENDOR_ZONE)
    return start, end


def statement_for(*, organization: Organization, first_day: date, last_day: date) -> Statement:
    """The entries started in the period, the banks valid in it, their totals and the credits
    granted in it (4 queries)."""
    if last_day < first_day:
        raise ValueError("the period ends before it starts")
    start, end = _bounds(first_day, last_day)
    in_period = Q(started_at__gte=start, started_at__lt=end)
    entries = list(
        TimeEntry.objects.filter(in_period, organization=organization)
        .select_related("ticket", "technician")
        .order_by("started_at", "id")
    )
    drawn_by_entry: dict[int, dict[int, int]] = defaultdict(dict)
    for entry_id, bank_id, minutes in Allocation.objects.filter(
        entry__organization=organization,
        entry__started_at__gte=start,
        entry__started_at__lt=end,
    ).values_list("entry_id", "bank_id", "minutes"):
        drawn_by_entry[entry_id][bank_id] = minutes
    period_by_bank: dict[int, int] = defaultdict(int)
    for drawn in drawn_by_entry.values():
        for bank_id, minutes in drawn.items():
            period_by_bank[bank_id] += minutes
    # An entry that runs past midnight of the last day may draw from a bank that only starts
    # the next day: that bank is listed too, so every drawn minute has its column.
    banks = list(
        HourBank.objects.filter(organization=organization)
        .filter(
            Q(valid_from__lte=last_day, valid_until__gte=first_day) | Q(pk__in=list(period_by_bank))
        )
        .select_related("contract", "subscription__plan")
        .order_by("valid_until", "id")
    )
    bank_lines = tuple(
        BankLine(
            id=bank.pk,
            source=bank.source,
            label_fr=bank.label("fr"),
            label_en=bank.label("en"),
            valid_from=bank.valid_from,
            valid_until=bank.valid_until,
            total_minutes=Minutes(bank.total_minutes),
            used_minutes=Minutes(bank.used_minutes),
            left_minutes=Minutes(bank.left_minutes),
            period_minutes=Minutes(period_by_bank.get(bank.pk, 0)),
        )
        for bank in banks
    )

    def reason(entry: TimeEntry) -> str:
        if not entry.overage_minutes:
            return ""
        day = entry.started_at.astimezone(VENDOR_ZONE).date()
        in_force = [b for b in banks if b.valid_from <= day <= b.valid_until]
        if not in_force:
            return "no_bank"
        return "outside_hours" if any(b.left_minutes > 0 for b in in_force) else "used_up"

    entry_lines = tuple(
        EntryLine(
            id=entry.pk,
            started_at=entry.started_at,
            ticket_id=entry.ticket_id,
            ticket_number=entry.ticket.number,
            subject=entry.ticket.subject,
            technician=entry.technician.display_name,
            minutes=Minutes(entry.minutes),
            drawn=tuple(Minutes(drawn_by_entry[entry.pk].get(bank.pk, 0)) for bank in banks),
            overage_minutes=Minutes(entry.overage_minutes),
            note=entry.note,
            overage_reason=reason(entry),
        )
        for entry in entries
    )
    totals = Totals(
        minutes=Minutes(sum(line.minutes for line in entry_lines)),
        drawn=tuple(line.period_minutes for line in bank_lines),
        drawn_minutes=Minutes(sum(period_by_bank.values())),
        overage_minutes=Minutes(sum(line.overage_minutes for line in entry_lines)),
    )
    credits = tuple(
        CreditLine(
            granted_at=credit.granted_at,
            bank_fr=credit.bank.label("fr") if credit.bank else "",
            bank_en=credit.bank.label("en") if credit.bank else "",
            minutes=Minutes(credit.minutes),
            waived_overage_minutes=Minutes(credit.waived_overage_minutes),
            note=credit.note,
        )
        for credit in Credit.objects.filter(
            organization=organization, granted_at__gte=start, granted_at__lt=end
        )
        .select_related("bank__contract", "bank__subscription__plan")
        .order_by("granted_at", "id")
    )
    return Statement(
        organization=organization,
        first_day=first_day,
        last_day=last_day,
        entries=entry_lines,
        banks=bank_lines,
        totals=totals,
        credits=credits,
    )


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def render_csv(statement: Statement, language: str, *, zone: tzinfo | None = None) -> bytes:
    """The statement as CSV for a spreadsheet: UTF-8 with a byte-order mark, comma-separated.

    Two tables, one after the other, separated by an empty row:
    - entries: one row per time entry (start, request, subject, technician, minutes, one
      column of minutes per bank, overage, note), then a "Total" row;
    - banks: one row per bank (label, source, validity, total, used to date, left, drawn in
      the period).
    Minutes are integers; times are in `zone` (default: the active time zone). Every cell that
    starts with =, +, -, @, a tab or a carriage return gets a leading single quote.
    """
    zone = zone or timezone.get_current_timezone()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*cells: object) -> None:
        writer.writerow([_cell(cell) for cell in cells])

    with translation.override(language):
        bank_names = [bank.label(language) for bank in statement.banks]
        row(
            _("Start (%(zone)s)") % {"zone": zone},
            _("Request"),
            _("Subject"),
            _("Technician"),
            _("Minutes"),
            *[_("%(bank)s (min)") % {"bank": name} for name in bank_names],
            _("Overage, billable (min)"),
            _("Note"),
        )
        for entry in statement.entries:
            row(
                entry.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                entry.ticket_number,
                entry.subject,
                entry.technician,
                entry.minutes,
                *entry.drawn,
                entry.overage_minutes,
                entry.note,
            )
        totals = statement.totals
        row(_("Total"), "", "", "", totals.minutes, *totals.drawn, totals.overage_minutes, "")
        writer.writerow([])
        row(
            _("Hour bank"),
            _("Source"),
            _("Valid from"),
            _("Valid until"),
            _("Total (min)"),
            _("Used to date (min)"),
            pgettext("minutes remaining in an hour bank", "Left (min)"),
            _("Drawn in the period (min)"),
        )
        for bank, name in zip(statement.banks, bank_names, strict=True):
            row(
                name,
                bank.source_label,
                bank.valid_from.isoformat(),
                bank.valid_until.isoformat(),
                bank.total_minutes,
                bank.used_minutes,
                bank.left_minutes,
                bank.period_minutes,
            )
        if statement.credits:
            writer.writerow([])
            row(_("Credit granted on"), _("Hour bank"), _("Minutes credited"),
                _("Overage waived (min)"), _("Note"))  # fmt: skip
            for credit in statement.credits:
                row(
                    credit.granted_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    credit.bank(language),
                    credit.minutes,
                    credit.waived_overage_minutes,
                    credit.note,
                )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_pdf(statement: Statement, language: str, *, zone: tzinfo | None = None) -> bytes:
    """The statement as a PDF, from `web/statement_print.html`, without any network access."""
    # Imported here: WeasyPrint loads Pango on import, which only PDF downloads need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    zone = zone or timezone.get_current_timezone()
    with translation.override(language), timezone.override(zone):
        html = render_to_string(
            "web/statement_print.html",
            {
                "statement": statement,
                "zone": zone,
                "generated_at": timezone.localtime(timezone.now()),
                "LANGUAGE_CODE": language,
            },
        )
    # No protocol is allowed: the template inlines its CSS and uses local fonts only.
    fetcher = URLFetcher(allowed_protocols=())
    pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)
