"""Public service-hours status: open now, or when support next opens."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from soutien.api.v1.common import LocalDateTime
from soutien.sla import selectors

router = Router(tags=["service hours"])


class SupportHoursStatus(Schema):
    open: bool
    next_opening: LocalDateTime | None
    closes_at: LocalDateTime | None
    time_zone: str


@router.get("/status", auth=None, response=SupportHoursStatus, summary="Is support open now?")
def support_hours_status(request: HttpRequest) -> dict[str, object]:
    """Whether the standard service hours are open now; if not, when they next open."""
    status = selectors.support_hours_status()
    return {
        "open": status.open,
        "next_opening": status.next_opening,
        "closes_at": status.closes_at,
        "time_zone": status.time_zone,
    }
