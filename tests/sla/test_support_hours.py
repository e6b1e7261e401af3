"""GET /api/v1/support-hours/status: open now, or the next opening."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

EASTERN = ZoneInfo("America/Toronto")


@pytest.mark.parametrize(
    ("now", "is_open", "next_opening", "closes_at"),
    [
        (datetime(2026, 12, 1, 10, 0), True, None, datetime(2026, 12, 1, 17, 0)),  # Tuesday morning
        (datetime(2026, 12, 1, 17, 0), False, datetime(2026, 12, 2, 8, 0), None),  # at closing
        (datetime(2026, 12, 5, 11, 0), False, datetime(2026, 12, 7, 8, 0), None),  # Saturday
        (datetime(2026, 6, 24, 10, 0), False, datetime(2026, 6, 25, 8, 0), None),  # Fête nationale
        (
            datetime(2026, 12, 24, 18, 0),
            False,
            datetime(2026, 12, 28, 8, 0),
            None,
        ),  # Christmas (Quebec holiday); Boxing Day is not one
    ],
)
def test_support_hours_status_at_frozen_instants(db, client, now, is_open, next_opening, closes_at):
    with time_machine.travel(now.replace(tzinfo=EASTERN), tick=False):
        r = client.get("/api/v1/support-hours/status")
    assert r.status_code == 200
    body = r.json()
    assert body["open"] is is_open
    assert body["time_zone"] == "America/Toronto"
    expected_next = next_opening.replace(tzinfo=EASTERN) if next_opening else None
    expected_close = closes_at.replace(tzinfo=EASTERN) if closes_at else None
    assert (
        datetime.fromisoformat(body["next_opening"]) if body["next_opening"] else None
    ) == expected_next
    assert (
        datetime.fromisoformat(body["closes_at"]) if body["closes_at"] else None
    ) == expected_close
