"""Reads about service hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from soutien.sla.engine import snapshot


@dataclass(frozen=True)
class SupportHoursStatus:
    open: bool
    next_opening: datetime | None
    closes_at: datetime | None
    time_zone: str


def support_hours_status(at: datetime | None = None) -> SupportHoursStatus:
    """Open now on the standard hours of the policy in force, or the next opening."""
    at = at or timezone.now()
    snap = snapshot()
    policy = snap.policy_at(at)
    if policy is None:
        return SupportHoursStatus(False, None, None, "")
    calendar = snap.calendar(policy.calendar_id)
    zone = snap.rows[policy.calendar_id].time_zone
    if calendar.is_open(at):
        return SupportHoursStatus(True, None, calendar.next_closing(at), zone)
    return SupportHoursStatus(False, calendar.next_opening(at), None, zone)
