"""Benchmark SLA due times: soutien's Calendar.add against the businesstimedelta package.

Both get the same random cases -- instants across 2026-2028, targets of 60 or 300 minutes --
on the published calendar: Mon-Fri 08:00-17:00 America/Toronto, Quebec holidays closed.
Every answer is compared; where the two disagree, a brute-force oracle (tests/sla/oracle.py)
says which one is right. A sample of the cases where they agree is checked against it too.

Run from a checkout:  python bench/sla_due_times.py [--cases 100000] [--seed 2026]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import businesstimedelta
import pytz

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "sla")]  # this checkout's code first

import oracle  # noqa: E402

from soutien.sla.calendar import Calendar, quebec_holidays  # noqa: E402

ZONE = "America/Toronto"
FIRST = datetime(2026, 1, 1, tzinfo=UTC)
LAST = datetime(2029, 1, 1, tzinfo=UTC)
TARGETS = (60, 300)
HOLIDAYS = quebec_holidays(2026, 2029)  # 2029 too: late-2028 targets run into January


def make_cases(count: int, seed: int) -> list[tuple[datetime, int]]:
    """Random whole-second instants in 2026-2028 (UTC) with a target of 60 or 300 minutes."""
    rng = random.Random(seed)
    span = int((LAST - FIRST).total_seconds())
    return [
        (FIRST + timedelta(seconds=rng.randrange(span)), rng.choice(TARGETS)) for _ in range(count)
    ]


def soutien_add() -> Callable[[datetime, int], datetime]:
    """Our published calendar's add()."""
    calendar = Calendar.weekly(ZONE, {day: [(8 * 60, 17 * 60)] for day in range(5)}, HOLIDAYS)
    return calendar.add


def businesstimedelta_add() -> Callable[[datetime, int], datetime]:
    """The same calendar as businesstimedelta rules; it reads naive datetimes as UTC."""
    tz = pytz.timezone(ZONE)
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=clock(8), end_time=clock(17), working_days=[0, 1, 2, 3, 4], tz=tz
            ),
            # The holiday rule needs the zone too, or it closes UTC days.
            businesstimedelta.HolidayRule(HOLIDAYS, tz=tz),
        ]
    )
    deltas = {
        minutes: businesstimedelta.BusinessTimeDelta(rules, timedelta=timedelta(minutes=minutes))
        for minutes in TARGETS
    }

    def add(start: datetime, minutes: int) -> datetime:
        return start + deltas[minutes]

    return add


def timed(
    add: Callable[[datetime, int], datetime], cases: list[tuple[datetime, int]]
) -> tuple[list[datetime], float]:
    """All due times, and the rate in additions per second."""
    began = time.perf_counter()
    dues = [add(start, minutes) for start, minutes in cases]
    return dues, len(cases) / (time.perf_counter() - began)


def published_spec() -> oracle.Spec:
    """The published calendar as the oracle sees it."""
    return oracle.Spec(ZONE, {day: [(8 * 60, 17 * 60)] for day in range(5)}, HOLIDAYS)


def local(at: datetime) -> str:
    """An instant in Eastern time, for people."""
    return at.astimezone(ZoneInfo(ZONE)).strftime("%a %Y-%m-%d %H:%M:%S %Z")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--oracle-sample", type=int, default=200, help="agreeing cases to check with the oracle"
    )
    args = parser.parse_args()

    cases = make_cases(args.cases, args.seed)
    # Each library gets its starts in the zone, in its own kind of tzinfo.
    ours_in = [(start.astimezone(ZoneInfo(ZONE)), m) for start, m in cases]
    theirs_in = [(start.astimezone(pytz.timezone(ZONE)), m) for start, m in cases]

    print(f"{len(cases):,} cases, seed {args.seed}, Python {sys.version.split()[0]}")
    ours, ours_rate = timed(soutien_add(), ours_in)  # cold caches: built inside the timing
    theirs, theirs_rate = timed(businesstimedelta_add(), theirs_in)
    print(f"soutien Calendar.add     {ours_rate:>12,.0f} additions/s")
    print(f"businesstimedelta        {theirs_rate:>12,.0f} additions/s")
    print(f"ratio                    {ours_rate / theirs_rate:>12.1f}x")

    spec = published_spec()
    disagreements = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    ours_wrong, theirs_wrong = 0, 0
    examples: list[str] = []
    for i in disagreements:
        start, minutes = cases[i]
        truth = oracle.add(spec, start, minutes)
        ours_wrong += ours[i] != truth
        theirs_wrong += theirs[i] != truth
        if len(examples) < 5:
            examples.append(
                f"  {local(start)} + {minutes} min: oracle {local(truth)}, "
                f"soutien {local(ours[i])}, businesstimedelta {local(theirs[i])}"
            )
    print(f"disagreements            {len(disagreements):>12,}")
    print(
        f"businesstimedelta wrong on {theirs_wrong:,} cases, "
        f"ours wrong on {ours_wrong:,} cases (must be 0)"
    )
    if examples:
        print(*examples, sep="\n")

    agreeing = sorted(set(range(len(cases))) - set(disagreements))
    sample = random.Random(args.seed).sample(agreeing, min(args.oracle_sample, len(agreeing)))
    both_wrong = sum(ours[i] != oracle.add(spec, *cases[i]) for i in sample)
    print(f"agreeing cases checked with the oracle: {len(sample)}, both wrong on {both_wrong}")
    return 1 if ours_wrong or both_wrong else 0


if __name__ == "__main__":
    sys.exit(main())
