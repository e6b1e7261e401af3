"""Statements per organization and period: the page, the CSV and the PDF, and who sees them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.test import Client

from soutien.accounts.models import Organization, User
from soutien.contracts.models import Plan, TimeEntry
from soutien.contracts.services import subscription_create, time_entry_create
from soutien.contracts.statements import statement_for
from soutien.ticketing.models import Ticket
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=EASTERN)
SATURDAY_TEN = datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN)
# When every statement is read: early January, after all the work below.
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=EASTERN)
DECEMBER = "du=2026-12-01&au=2026-12-31"
DASH = "\N{EN DASH}"


class _TableReader(HTMLParser):
    """The rows of one table (picked by class) as lists of cell texts, spaces collapsed."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.inside, self.rows = name, False, []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and self.name in (dict(attrs).get("class") or "").split():
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []
        elif self.cell is not None and tag == "br":
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _table(response, name: str) -> list[list[str]]:
    reader = _TableReader(name)
    reader.feed(response.content.decode())
    return reader.rows


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(response) -> str:
    """What a reader sees of the page: its text, spaces (non-breaking ones too) collapsed."""
    reader = _TextReader()
    reader.feed(response.content.decode())
    return " ".join(" ".join(reader.parts).split())


def _web(user: User) -> Client:
    # English, so the assertions read the source strings whatever the French catalogue says.
    client = Client(headers={"Accept-Language": "en"})
    # Signed in at the frozen moment the pages are read, so the session has not expired then.
    with time_machine.travel(NOW):
        client.force_login(user)
    return client


def _log(tech: User, ticket: Ticket, at: datetime, minutes: int, note: str = "") -> TimeEntry:
    with time_machine.travel(at + timedelta(minutes=minutes)):
        return time_entry_create(
            actor=tech, ticket=ticket, started_at=at, minutes=minutes, note=note
        )


def _ticket(contact: User, subject: str, manager: User) -> Ticket:
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=EASTERN)):
        return factories.ticket(contact=contact, actor=manager, subject=subject)


def _banks_for(organization: Organization, manager: User) -> None:
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=EASTERN)):
        factories.spec4_banks(manager, organization)


@pytest.fixture
def spec_example(manager, org, contact, tech1) -> Ticket:
    """The SPEC 4 example: Tue 2026-12-01 12:00-13:30 draws 60 min from the plan, 30 from the contract."""
    _banks_for(org, manager)
    ticket = _ticket(contact, "Journaux d'erreurs", manager)
    _log(tech1, ticket, TUESDAY_NOON, 90, note="Analyse des journaux")
    return ticket


@pytest.fixture
def staff_web(manager) -> Client:
    return _web(manager)


def test_spec4_example_on_the_statement_page(staff_web, org, spec_example):
    with time_machine.travel(NOW):
        r = staff_web.get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}")
    assert r.status_code == 200
    assert "Statement for Ville de Saint-Laurent" in _text(r)
    assert _table(r, "entries") == [
        [
            "Start",
            "Request",
            "Technician",
            "Time worked",
            "Basic support plus",
            "Contract LIC-2026-004",
            "Overage",
            "Note",
        ],
        [
            "December 1, 2026, 12:00 PM",
            f"#{spec_example.pk} Journaux d'erreurs",
            "Théo Premier",
            "1 h 30 90 min",
            "1 h 00 60 min",
            "0 h 30 30 min",
            "—",
            "Analyse des journaux",
        ],
        ["Total", "1 h 30 90 min", "1 h 00 60 min", "0 h 30 30 min", "0 h 00 0 min", ""],
    ]
    assert _table(r, "banks")[1:] == [
        [
            "Basic support plus",
            "Plan",
            f"November 1, 2026 {DASH} December 31, 2026",
            "10 h 00 600 min",
            "1 h 00 60 min",
            "9 h 00 540 min",
            "1 h 00 60 min",
        ],
        [
            "Contract LIC-2026-004",
            "License contract",
            f"April 1, 2026 {DASH} March 31, 2027",
            "20 h 00 1200 min",
            "0 h 30 30 min",
            "19 h 30 1170 min",
            "0 h 30 30 min",
        ],
    ]
    assert f'href="/console/demandes/{spec_example.pk}/"' in r.content.decode()


def test_only_entries_started_in_the_period_in_eastern_time_are_listed(
    staff_web, org, spec_example, tech1
):
    late_november = datetime(2026, 11, 30, 23, 30, tzinfo=EASTERN)  # already December in UTC
    new_years_eve = datetime(2026, 12, 31, 23, 50, tzinfo=EASTERN)
    new_year = datetime(2027, 1, 1, 0, 10, tzinfo=EASTERN)
    for at, minutes in ((late_november, 20), (new_years_eve, 20), (new_year, 15)):
        _log(tech1, spec_example, at, minutes)
    with time_machine.travel(NOW):
        december = _table(
            staff_web.get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}"), "entries"
        )
        november = _table(
            staff_web.get(f"/console/organisations/{org.pk}/releve/?du=2026-11-01&au=2026-11-30"),
            "entries",
        )
    assert [row[0] for row in december[1:-1]] == [
        "December 1, 2026, 12:00 PM",
        "December 31, 2026, 11:50 PM",
    ]
    assert december[-1][:2] == ["Total", "1 h 50 110 min"]
    assert [row[0] for row in november[1:-1]] == ["November 30, 2026, 11:30 PM"]


def test_overage_is_listed_flagged_and_totalled(staff_web, org, spec_example, tech1):
    _log(tech1, spec_example, SATURDAY_TEN, 25, note="Samedi")
    with time_machine.travel(NOW):
        r = staff_web.get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}")
    rows = _table(r, "entries")
    assert rows[2][0] == "December 5, 2026, 10:00 AM"
    assert rows[2][3:7] == ["0 h 25 25 min", "—", "—", "0 h 25 25 min outside your plan's hours"]
    assert rows[-1] == [
        "Total",
        "1 h 55 115 min",
        "1 h 00 60 min",
        "0 h 30 30 min",
        "0 h 25 25 min",
        "",
    ]
    assert 'class="num billable"' in r.content.decode()
    assert "Time worked 1 h 55 (115 min)" in _text(r)
    assert "Drawn from hour banks 1 h 30 (90 min)" in _text(r)
    assert "Overage (billable) 0 h 25 (25 min)" in _text(r)


def test_times_are_shown_in_the_viewers_time_zone(org, spec_example):
    parisian = factories.staff(levels=(1,), name="Pierre Paris")
    User.objects.filter(pk=parisian.pk).update(time_zone="Europe/Paris")
    parisian.refresh_from_db()
    with time_machine.travel(NOW):
        r = _web(parisian).get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}")
    assert _table(r, "entries")[1][0] == "December 1, 2026, 6:00 PM"
    assert "Times are shown in Central European Time." in _text(r)


def test_csv_has_a_row_per_entry_a_total_and_the_banks_with_formulas_neutralized(
    staff_web, manager, org, contact, tech1, spec_example
):
    TimeEntry.objects.filter(ticket=spec_example).update(note='=HYPERLINK("http://x")')
    Ticket.objects.filter(pk=spec_example.pk).update(subject="-1 refus")
    plus = _ticket(contact, "+33 appel", manager)
    _log(tech1, plus, SATURDAY_TEN, 25, note="@admin\nsecond line")
    at = _ticket(contact, "@arobase", manager)
    _log(tech1, at, datetime(2026, 12, 7, 9, 0, tzinfo=EASTERN), 15, note="\tindent")
    with time_machine.travel(NOW):
        r = staff_web.get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}&format=csv")
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        r["Content-Disposition"]
        == f'attachment; filename="releve-{org.pk}-2026-12-01-2026-12-31.csv"'
    )
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert rows == [
        [
            "Start (America/Toronto)",
            "Request",
            "Subject",
            "Technician",
            "Minutes",
            "Basic support plus (min)",
            "Contract LIC-2026-004 (min)",
            "Overage, billable (min)",
            "Note",
        ],
        [
            "2026-12-01 12:00",
            str(spec_example.pk),
            "'-1 refus",
            "Théo Premier",
            "90",
            "60",
            "30",
            "0",
            '\'=HYPERLINK("http://x")',
        ],
        [
            "2026-12-05 10:00",
            str(plus.pk),
            "'+33 appel",
            "Théo Premier",
            "25",
            "0",
            "0",
            "25",
            "'@admin\nsecond line",
        ],
        [
            "2026-12-07 09:00",
            str(at.pk),
            "'@arobase",
            "Théo Premier",
            "15",
            "15",
            "0",
            "0",
            "'\tindent",
        ],
        ["Total", "", "", "", "130", "75", "30", "25", ""],
        [],
        [
            "Hour bank",
            "Source",
            "Valid from",
            "Valid until",
            "Total (min)",
            "Used to date (min)",
            "Left (min)",
            "Drawn in the period (min)",
        ],
        ["Basic support plus", "Plan", "2026-11-01", "2026-12-31", "600", "75", "525", "75"],
        [
            "Contract LIC-2026-004",
            "License contract",
            "2026-04-01",
            "2027-03-31",
            "1200",
            "30",
            "1170",
            "30",
        ],
    ]


def test_pdf_statement_holds_the_entries_figures(staff_web, org, spec_example, tech1):
    _log(tech1, spec_example, SATURDAY_TEN, 25)
    with time_machine.travel(NOW):
        r = staff_web.get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}&format=pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert (
        r["Content-Disposition"]
        == f'attachment; filename="releve-{org.pk}-2026-12-01-2026-12-31.pdf"'
    )
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Statement for Ville de Saint-Laurent" in text
    assert "Period: December 1, 2026 to December 31, 2026" in text
    assert "Journaux d'erreurs" in text
    assert "December 1, 2026, 12:00 PM" in text
    # The SPEC 4 entry: 90 minutes worked, 60 from the plan, 30 from the contract.
    assert "1 h 30 90 min 1 h 00 60 min 0 h 30 30 min" in text
    # The Saturday entry is overage, and so is the total's last figure.
    assert "0 h 25 25 min — — 0 h 25 25 min outside your plan's hours" in text
    assert "Total 1 h 55 115 min 1 h 00 60 min 0 h 30 30 min 0 h 25 25 min" in text


@pytest.fixture
def other_org_work(manager, other_org, tech1) -> Ticket:
    """Organization B's own banks and work, which A must never see."""
    _banks_for(other_org, manager)
    ticket = _ticket(factories.contact(other_org), "Secret de B", manager)
    _log(tech1, ticket, TUESDAY_NOON, 45, note="Note de B")
    return ticket


def test_client_administrator_sees_only_its_own_organizations_statement(
    client_admin, org, other_org, spec_example, other_org_work
):
    web = _web(client_admin)
    with time_machine.travel(NOW):
        own = web.get(f"/portail/releve/?{DECEMBER}&organization={other_org.pk}")
        foreign = [
            web.get(f"/console/organisations/{other_org.pk}/releve/?{DECEMBER}"),
            web.get(f"/console/organisations/{other_org.pk}/releve/?{DECEMBER}&format=csv"),
            web.get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}"),
        ]
    assert own.status_code == 200
    assert [row[1] for row in _table(own, "entries")[1:-1]] == [
        f"#{spec_example.pk} Journaux d'erreurs"
    ]
    assert "Secret de B" not in own.content.decode()
    assert f'href="/portail/demandes/{spec_example.pk}/"' in own.content.decode()
    assert [r.status_code for r in foreign] == [404, 404, 404]
    assert "Secret de B" not in " ".join(r.content.decode() for r in foreign)


def test_a_plain_contact_gets_404(contact, org, spec_example):
    web = _web(contact)
    with time_machine.travel(NOW):
        responses = [
            web.get(f"/portail/releve/?{DECEMBER}"),
            web.get(f"/portail/releve/?{DECEMBER}&format=pdf"),
            web.get(f"/console/organisations/{org.pk}/releve/?{DECEMBER}"),
        ]
    assert [r.status_code for r in responses] == [404, 404, 404]


def test_staff_see_any_organization_and_anonymous_visitors_sign_in(
    tech1, org, other_org, spec_example, other_org_work
):
    web = _web(tech1)
    with time_machine.travel(NOW):
        foreign = web.get(f"/console/organisations/{other_org.pk}/releve/?{DECEMBER}")
        missing = web.get(f"/console/organisations/{other_org.pk + 1000}/releve/")
        anonymous = Client().get(f"/console/organisations/{org.pk}/releve/")
        anonymous_portal = Client().get("/portail/releve/")
    assert foreign.status_code == 200
    assert [row[1] for row in _table(foreign, "entries")[1:-1]] == [
        f"#{other_org_work.pk} Secret de B"
    ]
    assert missing.status_code == 404
    assert anonymous.status_code == anonymous_portal.status_code == 302
    assert anonymous["Location"].startswith("/connexion/")


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("du=2026-13-01&au=2026-12-31", "Enter a valid date."),
        ("du=hier&au=2026-12-31&format=csv", "Enter a valid date."),
        ("du=2026-12-31&au=2026-12-01", "The period ends before it starts."),
        ("du=2026-12-31&au=2026-12-01&format=pdf", "The period ends before it starts."),
        ("du=2024-01-01&au=2027-01-01", "A statement covers at most 3 years."),
        (
            "du=9999-12-01&au=9999-12-31&format=csv",
            "Choose dates between 1970-01-01 and 2999-12-31.",
        ),
        ("du=2026-12-01&au=2026-12-31&format=xls", "Choose the HTML, CSV or PDF format."),
    ],
)
def test_bad_periods_are_a_form_error_with_status_400(staff_web, org, query, error):
    with time_machine.travel(NOW):
        r = staff_web.get(f"/console/organisations/{org.pk}/releve/?{query}")
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in r
    assert error in _text(r)


def test_three_years_exactly_is_accepted(staff_web, org):
    with time_machine.travel(NOW):
        r = staff_web.get(f"/console/organisations/{org.pk}/releve/?du=2024-01-01&au=2026-12-31")
    assert r.status_code == 200
    assert "Period: January 1, 2024 to December 31, 2026" in _text(r)


def test_default_period_is_the_current_month_in_eastern_time(staff_web, org):
    # 03:00 UTC on December 1 is still November 30 in Toronto.
    with time_machine.travel(datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("UTC"))):
        default = staff_web.get(f"/console/organisations/{org.pk}/releve/")
        from_only = staff_web.get(f"/console/organisations/{org.pk}/releve/?du=2026-12-05")
    assert "Period: November 1, 2026 to November 30, 2026" in _text(default)
    assert "Period: December 5, 2026 to December 31, 2026" in _text(from_only)
    assert 'href="?du=2026-11-01&amp;au=2026-11-30&amp;format=csv"' in default.content.decode()


def test_statement_reads_in_four_queries_however_many_entries(
    django_assert_num_queries, org, spec_example, tech1
):
    for day in (1, 2, 3):
        _log(tech1, spec_example, TUESDAY_NOON + timedelta(days=day), 30)
    with django_assert_num_queries(4):
        statement = statement_for(
            organization=org, first_day=date(2026, 12, 1), last_day=date(2026, 12, 31)
        )
    assert [entry.minutes for entry in statement.entries] == [90, 30, 30, 30]
    assert [bank.period_minutes for bank in statement.banks] == [150, 30]
    assert statement.totals.drawn_minutes == 180


def test_minutes_past_midnight_of_the_last_day_keep_the_bank_they_drew_from(
    manager, org, spec_example, tech1
):
    with time_machine.travel(datetime(2026, 12, 20, 9, 0, tzinfo=EASTERN)):
        subscription_create(
            actor=manager,
            organization=org,
            plan=Plan.objects.get(code="base-extra"),
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 12, 31),
        )
    _log(tech1, spec_example, datetime(2026, 12, 31, 23, 50, tzinfo=EASTERN), 20)
    statement = statement_for(
        organization=org, first_day=date(2026, 12, 1), last_day=date(2026, 12, 31)
    )
    names = [bank.label("en") for bank in statement.banks]
    assert names == ["Basic support plus", "Contract LIC-2026-004", "Basic support extra"]
    # 23:50-24:00 nothing covers (New Year's Eve night); 00:00-00:10 the 24/7 plan of 2027 does.
    assert statement.entries[-1].drawn == (0, 0, 10)
    assert statement.entries[-1].overage_minutes == 10
    assert statement.totals.drawn == (60, 30, 10)
