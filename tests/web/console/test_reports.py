"""The managers' report pages: figures that lead to their requests, charts with their numbers,
CSV that a spreadsheet cannot run, a period the reader picks."""

from __future__ import annotations

import io
import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine

from soutien.ticketing import services
from soutien.ticketing.models import MessageKind
from tests import factories
from tests.web.helpers import signed_in, text_of

EASTERN = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=EASTERN)
PERIOD = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def desk(manager, tech1):
    """Three requests in November: one answered on time, one late, one never answered."""
    org = factories.organization('=HYPERLINK("http://evil")')
    contact = factories.contact(org)
    made = []
    for day, answer_after in ((3, 20), (4, 120), (5, None)):
        received = datetime(2026, 11, day, 10, 0, tzinfo=EASTERN)
        with time_machine.travel(received, tick=False):
            ticket = factories.ticket(contact=contact, actor=manager, received_at=received)
            ticket = services.ticket_update(actor=manager, ticket=ticket, level=1, assignee=tech1)
        if answer_after:
            with time_machine.travel(received.replace(minute=0, hour=10) + _minutes(answer_after)):
                services.message_add(actor=tech1, ticket=ticket, kind=MessageKind.REPLY, body="Oui")
        made.append(ticket)
    return made


def _minutes(n: int):
    from datetime import timedelta

    return timedelta(minutes=n)


@pytest.mark.parametrize("page", ["", "hours/", "team/", "kb/", "satisfaction/"])
def test_every_report_page_shows_charts_with_their_tables(desk, manager, page):
    with time_machine.travel(NOW, tick=False):
        r = signed_in(manager).get(f"/console/rapports/{page}?{PERIOD}")
    assert r.status_code == 200
    body = r.content.decode()
    for svg in re.findall(r"<svg.*?</svg>", body, flags=re.S):
        assert 'role="img"' in svg
        assert "<title" in svg
        assert "<desc" in svg
    assert body.count("<svg") <= body.count("<table")


def test_a_figure_links_to_the_requests_it_counts(desk, manager):
    client = signed_in(manager)
    with time_machine.travel(NOW, tick=False):
        page = text_of(client.get(f"/console/rapports/?{PERIOD}"))
        links = [
            href
            for href in re.findall(r'href="([^"]*report=sla[^"]*)"', page)
            if parse_qs(urlsplit(href).query)
            == {
                "queue": ["all"],
                "from": ["2026-11-01"],
                "to": ["2026-11-30"],
                "report": ["sla"],
                "measure": ["first_response"],
                "group_by": ["level"],
                "key": ["1"],
                "outcome": ["breached"],
            }
        ]
        assert links
        queue = text_of(client.get(links[0]))
    late, never = desk[1], desk[2]
    numbers = set(re.findall(r'/console/demandes/(\d+)/"', queue))
    assert numbers == {str(late.pk), str(never.pk)}


def test_sla_by_level_says_met_breached_and_attainment(desk, manager):
    with time_machine.travel(NOW, tick=False):
        csv = (
            signed_in(manager)
            .get(f"/console/rapports/sla/sla-first-response-level.csv?{PERIOD}")
            .content.decode()
        )
    rows = [line.split(",") for line in csv.lstrip("\ufeff").splitlines()]
    level_1 = next(row for row in rows if row[0] == "Niveau 1")
    assert level_1[1:6] == ["3", "1", "2", "0", "0.3333"]


def test_csv_cells_a_spreadsheet_would_run_are_neutralized(desk, manager):
    with time_machine.travel(NOW, tick=False):
        r = signed_in(manager).get(
            f"/console/rapports/sla/sla-first-response-organization.csv?{PERIOD}"
        )
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    text = r.content.decode()
    assert "'=HYPERLINK" in text
    assert '\n"=HYPERLINK' not in text
    assert "\n=HYPERLINK" not in text


def test_a_period_that_ends_before_it_starts_is_a_form_error(manager):
    r = signed_in(manager).get("/console/rapports/?from=2026-11-30&to=2026-11-01")
    assert r.status_code == 400
    assert "La période doit se terminer" in text_of(r)


def test_reports_are_for_managers(tech1):
    r = signed_in(tech1).get("/console/rapports/")
    assert r.status_code == 302


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("sla", "Première réponse — par niveau"),
        ("hours", "Soldes des banques"),
        ("satisfaction", "Garanties de satisfaction invoquées"),
    ],
)
def test_each_report_page_downloads_as_a_pdf_with_its_tables(desk, manager, page, title):
    with time_machine.travel(NOW, tick=False):
        client = signed_in(manager)
        html = client.get(f"/console/rapports/{page}/?{PERIOD}").content.decode()
        assert f'href="/console/rapports/{page}/rapport.pdf?{PERIOD.replace("&", "&amp;")}"' in html
        r = client.get(f"/console/rapports/{page}/rapport.pdf?{PERIOD}")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert f"{page}-2026-11-01-2026-11-30.pdf" in r["Content-Disposition"]
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    assert title in " ".join(text.split())
    assert "1er novembre 2026" in text


def test_the_pdf_is_for_managers_and_a_bad_period_is_a_form_error(manager, tech1):
    assert signed_in(tech1).get("/console/rapports/sla/rapport.pdf").status_code == 302
    r = signed_in(manager).get("/console/rapports/sla/rapport.pdf?from=2026-11-30&to=2026-11-01")
    assert r.status_code == 400
    assert "La période doit se terminer" in text_of(r)
