"""Reports: SLA attainment, first-response times, hours and banks (docs/reports.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from soutien.api.v1.common import Id, caller
from soutien.reports import selectors
from soutien.reports.access import organization_scope
from soutien.reports.periods import Period, period_of

router = Router(tags=["reports"])


class PeriodQuery(Schema):
    from_: date | None = Field(None, alias="from", description="First day (desk's time zone).")
    to: date | None = Field(None, description="Last day, included.")
    organization: Id | None = None

    def period(self) -> Period:
        return period_of(self.from_, self.to)


class SlaQuery(PeriodQuery):
    group_by: Literal["level", "month", "organization", "technician"] = "level"
    measure: Literal["first_response", "resolution"] = "first_response"


class AttainmentOut(Schema):
    key: str
    label: str
    total: int
    met: int
    breached: int
    pending: int = Field(description="Due in the period, not yet answered, not yet late.")
    attainment: float | None = Field(description="met / total, or null when total is 0.")


@router.get("/sla", response=list[AttainmentOut], summary="SLA attainment by group")
def sla(request: HttpRequest, query: Query[SlaQuery]) -> list[selectors.Attainment]:
    scope = organization_scope(caller(request), query.organization)
    return selectors.sla_attainment(
        query.period(), group_by=query.group_by, measure=query.measure, organization_id=scope
    )


class FirstResponseQuery(PeriodQuery):
    level: Literal["none", "1", "2", "3"] | None = None


class BinOut(Schema):
    upper_minutes: int | None = Field(description="Values up to this many minutes; null: more.")
    count: int


class DistributionOut(Schema):
    count: int
    median_minutes: int | None
    p90_minutes: int | None
    histogram: list[BinOut]


class FirstResponseOut(DistributionOut):
    """In service minutes on each request's governing calendar; `clock` in elapsed minutes."""

    clock: DistributionOut


@router.get(
    "/first-response", response=FirstResponseOut, summary="Time to first response distribution"
)
def first_response(request: HttpRequest, query: Query[FirstResponseQuery]) -> dict[str, object]:
    scope = organization_scope(caller(request), query.organization)
    found = selectors.first_response_times(query.period(), level=query.level, organization_id=scope)
    service = found.service
    return {
        "count": service.count,
        "median_minutes": service.median_minutes,
        "p90_minutes": service.p90_minutes,
        "histogram": service.histogram,
        "clock": found.clock,
    }


class BankMinutesOut(Schema):
    bank: int
    minutes: int


class MonthHoursOut(Schema):
    organization: int
    organization_name: str
    month: str
    logged_minutes: int
    overage_minutes: int
    quoted_minutes: int
    banks: list[BankMinutesOut]


class BalanceOut(Schema):
    id: int
    organization: int
    label: str
    source: str
    total_minutes: int
    used_minutes: int
    left_minutes: int
    valid_from: date
    valid_until: date
    drawn_last_90_days: int
    depletes_on: date | None = Field(
        description="When it runs out at the last 90 days' rate; null if not before it expires."
    )


class HoursOut(Schema):
    months: list[MonthHoursOut]
    banks: list[BalanceOut]


@router.get("/hours", response=HoursOut, summary="Hours by organization and month, bank balances")
def hours(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, object]:
    actor = caller(request)
    scope = organization_scope(actor, query.organization)
    period = query.period()
    months = [
        {
            "organization": row.organization_id,
            "organization_name": row.organization,
            "month": row.month,
            "logged_minutes": row.logged_minutes,
            "overage_minutes": row.overage_minutes,
            "quoted_minutes": row.quoted_minutes,
            "banks": [{"bank": b, "minutes": m} for b, m in sorted(row.banks.items())],
        }
        for row in selectors.hours_by_month(period, organization_id=scope)
    ]
    banks = [
        {
            "id": balance.bank.pk,
            "organization": balance.bank.organization_id,
            "label": balance.bank.label(actor.language),
            "source": balance.bank.source,
            "total_minutes": balance.bank.total_minutes,
            "used_minutes": balance.bank.used_minutes,
            "left_minutes": balance.bank.left_minutes,
            "valid_from": balance.bank.valid_from,
            "valid_until": balance.bank.valid_until,
            "drawn_last_90_days": balance.drawn_recently,
            "depletes_on": balance.depletes_on,
        }
        for balance in selectors.bank_balances(period, organization_id=scope)
    ]
    return {"months": months, "banks": banks}


class SatisfactionMonthOut(Schema):
    month: str
    good: int
    bad: int


class SatisfactionOut(Schema):
    count: int
    good: int
    bad: int
    score: float | None = Field(description="good / count, or null when nothing was rated.")
    open_follow_ups: int = Field(description="Bad ratings no manager has followed up yet.")
    months: list[SatisfactionMonthOut]
    guarantees: dict[str, int] = Field(
        description="Guarantees invoked in the period: invoked, pending, granted, refused."
    )


@router.get("/satisfaction", response=SatisfactionOut, summary="Satisfaction ratings")
def satisfaction(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, object]:
    scope = organization_scope(caller(request), query.organization)
    found = selectors.satisfaction(query.period(), organization_id=scope)
    return {
        "count": found.count,
        "good": found.good,
        "bad": found.bad,
        "score": found.score,
        "open_follow_ups": found.open_follow_ups,
        "months": found.months,
        "guarantees": found.guarantees,
    }
