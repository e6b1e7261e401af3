"""Reads about service hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from soutien.sla.engine import decide, snapshot
from soutien.sla.terms import SlaRequest


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


@dataclass(frozen=True)
class ResponsePreview:
    """When a request filed now would get its first answer, and under which terms."""

    due: datetime
    terms_fr: str
    terms_en: str

    def terms(self, language: str) -> str:
        return self.terms_en if language == "en" else self.terms_fr


def response_preview(*, organization_id: int, at: datetime | None = None) -> ResponsePreview | None:
    """The first-response due time of a request the organization would file at `at` (now)."""
    decision = decide(SlaRequest(organization_id, at or timezone.now(), None))
    if decision is None:
        return None
    return ResponsePreview(
        due=decision.due, terms_fr=decision.terms.label_fr, terms_en=decision.terms.label_en
    )
