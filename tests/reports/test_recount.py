"""Done-when 1: every figure of the SLA, first-response and hours reports equals a recount.

Requests, triage, responses, resolutions and time entries are drawn at random (seeded), made
through the product's services in the order they happen, then counted again here in plain
Python: due times and service minutes from the brute-force calendar oracle of the SLA tests
(tests/sla/oracle.py), the bank's share of an entry from the same oracle, the percentiles from
their definition. Nothing of soutien.reports or soutien.sla.calendar is used to recount.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine

from soutien.contracts.models import HourBank
from soutien.contracts.services import contract_create, time_entry_create
from soutien.ticketing import services
from soutien.ticketing.models import Channel, MessageKind, Status
from tests import factories
from tests.sla import oracle

EASTERN = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 20, 11, 7, tzinfo=EASTERN)
FIRST_DAY = datetime(2026, 8, 3, 0, 0, tzinfo=EASTERN)
TARGETS = {None: 60, 1: 60, 2: 300, 3: 60}  # the published policy's first-response minutes
STANDARD = oracle.Spec(
    zone="America/Toronto",
    windows={day: [(8 * 60, 17 * 60)] for day in range(5)},
    closed=frozenset(
        holidays.country_holidays("CA", subdiv="QC", years=range(2025, 2028), observed=True)
    ),
)
BOUNDS = [15, 30, 60, 120, 240, 480, 960, 1920]


@dataclass
class Made:
    """What the test drew, as plain facts."""

    org: object
    level: int | None
    assignee: object
    received: datetime
    responded: datetime | None
    resolution_due: datetime | None = None
    resolved: datetime | None = None
    entries: list[tuple[datetime, int]] = field(default_factory=list)


def _instant(rng: random.Random, start: datetime, days: float) -> datetime:
    # Whole minutes, as the oracle walks; office hours more often than nights.
    at = start + timedelta(minutes=rng.randrange(int(days * 24 * 60)))
    if rng.random() < 0.6:
        local = at.astimezone(EASTERN)
        at = local.replace(hour=rng.randrange(8, 17), minute=rng.randrange(60))
    return at.replace(second=0, microsecond=0)


@pytest.fixture
def world(db, manager):
    """Three organizations (two with a contract bank, one without), three technicians, and
    requests received from August to today with their triage, responses and time."""
    rng = random.Random(20261120)
    orgs = [factories.organization(f"Client {name}") for name in "ABC"]
    contacts = {org.pk: factories.contact(org) for org in orgs}
    techs = [factories.staff(levels=(1, 2, 3), name=f"Tech {n}") for n in range(3)]
    with time_machine.travel(FIRST_DAY - timedelta(days=1), tick=False):
        for org in orgs[:2]:
            contract_create(
                actor=manager,
                organization=org,
                reference=f"LIC-{org.pk}",
                starts_on=date(2026, 1, 1),
                ends_on=date(2027, 6, 30),
                included_minutes=600 * 60,  # never runs out: every covered minute is drawn
            )
    made: list[Made] = []
    for _ in range(48):
        org = rng.choice(orgs)
        received = _instant(rng, FIRST_DAY, (NOW - FIRST_DAY).days - 1)
        level = rng.choice([None, 1, 1, 2, 2, 3])
        responded = None
        if rng.random() < 0.85:
            responded = received + timedelta(minutes=rng.choice([0, 5, 30, 90, 400, 2000, 5000]))
            responded += timedelta(minutes=rng.randrange(120))
            if responded >= NOW:
                responded = None
        item = Made(org, level, rng.choice(techs), received, responded)
        if level == 3 and rng.random() < 0.7:
            item.resolution_due = received + timedelta(days=rng.randrange(3, 40))
            if responded and rng.random() < 0.7:
                resolved = responded + timedelta(days=rng.randrange(0, 30), minutes=5)
                item.resolved = resolved if resolved < NOW else None
        for _ in range(rng.randrange(3)):
            item.entries.append((_instant(rng, received, 20), rng.choice([15, 30, 45, 120, 300])))
        item.entries = sorted((at, minutes) for at, minutes in item.entries if at < NOW)
        made.append(item)

    # What happens, in the order it happens.
    steps: list[tuple[datetime, int, str, Made]] = []
    for n, item in enumerate(made):
        steps.append((item.received, n, "file", item))
        if item.responded:
            steps.append((item.responded, n, "respond", item))
        if item.resolved:
            steps.append((item.resolved, n, "resolve", item))
        for entry in item.entries:
            steps.append((entry[0], n, "time", item))
    tickets: dict[int, object] = {}
    done_entries: dict[int, int] = defaultdict(int)
    for at, n, what, item in sorted(steps, key=lambda s: (s[0], s[1], s[2])):
        with time_machine.travel(at, tick=False):
            if what == "file":
                ticket = factories.ticket(
                    contact=contacts[item.org.pk],
                    actor=manager,
                    received_at=item.received,
                    channel=Channel.PHONE,
                )
                if item.level is not None:
                    ticket = services.ticket_update(
                        actor=manager, ticket=ticket, level=item.level, assignee=item.assignee
                    )
                else:
                    ticket = services.ticket_assign(
                        actor=manager, ticket=ticket, technician=item.assignee
                    )
                if item.resolution_due:
                    services.ticket_set_resolution_target(
                        ticket=ticket,
                        due=item.resolution_due,
                        terms={"source": "agreement", "fr": "Entente", "en": "Agreement"},
                    )
                tickets[n] = ticket
            elif what == "respond":
                services.message_add(
                    actor=item.assignee, ticket=tickets[n], kind=MessageKind.REPLY, body="Bonjour"
                )
            elif what == "resolve":
                services.ticket_change_status(
                    actor=manager, ticket=tickets[n], status=Status.RESOLVED
                )
            else:
                started, minutes = item.entries[done_entries[n]]
                done_entries[n] += 1
                time_entry_create(
                    actor=item.assignee, ticket=tickets[n], started_at=started, minutes=minutes
                )
    return {"orgs": orgs, "techs": techs, "made": made, "manager": manager}


def _month(at: datetime) -> str:
    return at.astimezone(EASTERN).strftime("%Y-%m")


def _in(at: datetime | None, first: date, last: date) -> bool:
    return at is not None and first <= at.astimezone(EASTERN).date() <= last


def _recount_sla(made, first, last, group_by, measure):
    counts: dict[str, Counter] = defaultdict(Counter)
    for item in made:
        if measure == "first_response":
            due = oracle.add(STANDARD, item.received, TARGETS[item.level])
            done = item.responded
        else:
            due, done = item.resolution_due, item.resolved
        if due is None or not _in(due, first, last):
            continue
        key = {
            "level": "none" if item.level is None else str(item.level),
            "month": _month(due),
            "organization": str(item.org.pk),
            "technician": str(item.assignee.pk),
        }[group_by]
        if done is not None and done <= due:
            counts[key]["met"] += 1
        elif done is not None or due <= NOW:
            counts[key]["breached"] += 1
        else:
            counts[key]["pending"] += 1
    expected = []
    for key, c in counts.items():
        total = c["met"] + c["breached"]
        expected.append(
            {
                "key": key,
                "total": total,
                "met": c["met"],
                "breached": c["breached"],
                "pending": c["pending"],
                "attainment": round(c["met"] / total, 4) if total else None,
            }
        )
    return sorted(expected, key=lambda row: row["key"])


PERIODS = [(date(2026, 8, 1), date(2026, 11, 30)), (date(2026, 9, 14), date(2026, 10, 31))]


@pytest.mark.parametrize("measure", ["first_response", "resolution"])
@pytest.mark.parametrize("group_by", ["level", "month", "organization", "technician"])
def test_sla_attainment_equals_a_recount(world, api_as, group_by, measure):
    api = api_as(world["manager"])
    for first, last in PERIODS:
        with time_machine.travel(NOW, tick=False):
            r = api.get(f"reports/sla?from={first}&to={last}&group_by={group_by}&measure={measure}")
        assert r.status_code == 200, r.content
        got = sorted(
            ({k: v for k, v in row.items() if k != "label"} for row in r.json()),
            key=lambda row: row["key"],
        )
        assert got == _recount_sla(world["made"], first, last, group_by, measure)
        if (first, last) == PERIODS[0]:
            assert sum(row["total"] for row in got) > 0
            assert sum(row["met"] for row in got) > 0


def _percentile(values: list[int], percent: int) -> int | None:
    # The smallest value v with at least percent % of the values at or below it.
    for v in sorted(set(values)):
        if sum(1 for x in values if x <= v) * 100 >= percent * len(values):
            return v
    return None


def _histogram(values: list[int]) -> list[dict]:
    bins = []
    lower = -1
    for upper in [*BOUNDS, None]:
        count = sum(1 for v in values if v > lower and (upper is None or v <= upper))
        bins.append({"upper_minutes": upper, "count": count})
        lower = upper if upper is not None else lower
    return bins


def _described(values: list[int]) -> dict:
    return {
        "count": len(values),
        "median_minutes": _percentile(values, 50),
        "p90_minutes": _percentile(values, 90),
        "histogram": _histogram(values),
    }


@pytest.mark.parametrize("level", [None, "none", "1", "2", "3"])
def test_first_response_distribution_equals_a_recount(world, api_as, level):
    api = api_as(world["manager"])
    for first, last in PERIODS:
        answered = [
            item
            for item in world["made"]
            if item.responded
            and _in(item.received, first, last)
            and (level is None or level == ("none" if item.level is None else str(item.level)))
        ]
        service = [
            oracle.service_seconds(STANDARD, i.received, i.responded) // 60 for i in answered
        ]
        clock = [int((i.responded - i.received).total_seconds()) // 60 for i in answered]
        query = f"reports/first-response?from={first}&to={last}"
        with time_machine.travel(NOW, tick=False):
            r = api.get(query + (f"&level={level}" if level else ""))
        assert r.status_code == 200, r.content
        body = r.json()
        clock_got = body.pop("clock")
        assert body == _described(service)
        assert clock_got == _described(clock)
    if level is None:
        assert body["count"] > 0
        assert body["median_minutes"] != clock_got["median_minutes"]


def test_hours_equal_a_recount(world, api_as):
    api = api_as(world["manager"])
    banks = {b.organization_id: b for b in HourBank.objects.all()}
    first, last = date(2026, 9, 1), date(2026, 11, 30)
    months: dict[tuple[int, str], Counter] = defaultdict(Counter)
    drawn_recently: Counter = Counter()
    for item in world["made"]:
        for started, minutes in item.entries:
            covered = 0
            if item.org.pk in banks:
                covered = (
                    oracle.service_seconds(STANDARD, started, started + timedelta(minutes=minutes))
                    // 60
                )
                if started.astimezone(EASTERN).date() >= NOW.date() - timedelta(days=89):
                    drawn_recently[item.org.pk] += covered
            if not _in(started, first, last):
                continue
            row = months[(item.org.pk, _month(started))]
            row["logged"] += minutes
            row["overage"] += minutes - covered
            row["bank"] += covered
    with time_machine.travel(NOW, tick=False):
        r = api.get(f"reports/hours?from={first}&to={last}")
    assert r.status_code == 200, r.content
    body = r.json()
    got = {
        (row["organization"], row["month"]): {
            "logged": row["logged_minutes"],
            "overage": row["overage_minutes"],
            "bank": sum(b["minutes"] for b in row["banks"]),
            "quoted": row["quoted_minutes"],
        }
        for row in body["months"]
    }
    expected = {
        key: {"logged": c["logged"], "overage": c["overage"], "bank": c["bank"], "quoted": 0}
        for key, c in months.items()
    }
    assert got == expected
    assert any(c["overage"] for c in months.values())
    assert any(c["bank"] for c in months.values())
    for row in body["months"]:
        for b in row["banks"]:
            assert b["bank"] == banks[row["organization"]].pk
    # Balances: what is left now, and the day it runs out at the last 90 days' rate.
    today = NOW.date()
    for balance in body["banks"]:
        org = balance["organization"]
        bank = banks[org]
        used = sum(
            oracle.service_seconds(STANDARD, s, s + timedelta(minutes=m)) // 60
            for item in world["made"]
            if item.org.pk == org
            for s, m in item.entries
        )
        assert balance["used_minutes"] == used
        assert balance["left_minutes"] == bank.total_minutes - used
        assert balance["drawn_last_90_days"] == drawn_recently[org]
        # At the rate of the last 90 days, the first whole day by which nothing is left.
        days = 0
        while days * drawn_recently[org] < balance["left_minutes"] * 90:
            days += 1
        expected_day = today + timedelta(days=days)
        runs_out = drawn_recently[org] and expected_day <= bank.valid_until
        assert balance["depletes_on"] == (expected_day.isoformat() if runs_out else None)
    assert {b["organization"] for b in body["banks"]} == set(banks)
