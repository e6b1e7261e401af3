"""Contracts and plans as sources of SLA terms (registered with `soutien.sla.terms`).

- A license contract valid on the day of receipt, with its own targets and/or its own calendar.
- A plan subscription valid on the day of receipt whose hour bank still has minutes: its
  coverage calendar with the published policy's targets (SPEC 3, "Plans change the calendar").

Each resolver reads plain rows (`values_list`) in one query for all the organizations at hand:
this runs for every request created.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F

from soutien.contracts.models import LEVEL_KEYS, HourBank, LicenseContract
from soutien.sla.terms import SlaRequest, Terms

# Contract and plan dates are read in the vendor's time zone, like the standard service hours.
VENDOR_ZONE = ZoneInfo("America/Toronto")


@dataclass(frozen=True, slots=True)
class _Contract:
    id: int
    organization_id: int
    reference: str
    starts_on: date
    ends_on: date
    targets: dict[str, int]
    calendar_id: int | None


@dataclass(frozen=True, slots=True)
class _PlanBank:
    subscription_id: int
    organization_id: int
    valid_from: date
    valid_until: date
    calendar_id: int
    name_fr: str
    name_en: str


def _by_organization(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.organization_id, []).append(row)
    return grouped


class ContractResolver:
    def __init__(self, contracts: Iterable[_Contract]) -> None:
        self.by_organization = _by_organization(contracts)

    def terms(self, request: SlaRequest, standard: Terms) -> Iterable[Terms]:
        day = request.received_at.astimezone(VENDOR_ZONE).date()
        level_key = LEVEL_KEYS[0] if request.level is None else str(request.level)
        for contract in self.by_organization.get(request.organization_id, ()):
            if not contract.starts_on <= day <= contract.ends_on:
                continue
            minutes = contract.targets.get(level_key) or standard.minutes
            calendar_id = contract.calendar_id or standard.calendar_id
            if (minutes, calendar_id) == (standard.minutes, standard.calendar_id):
                continue
            yield Terms(
                source="contract",
                ref=contract.id,
                calendar_id=calendar_id,
                minutes=minutes,
                label_fr=f"Contrat de licence {contract.reference}",
                label_en=f"License contract {contract.reference}",
                rank=10,
            )


class ContractTermsSource:
    name = "contracts"

    def resolver(self, organization_ids: Collection[int]) -> ContractResolver:
        rows = LicenseContract.objects.filter(
            organization_id__in=list(organization_ids)
        ).values_list(
            "id", "organization_id", "reference", "starts_on", "ends_on", "terms", "calendar_id"
        )
        contracts = (
            _Contract(
                pk, org, ref, start, end, (terms or {}).get("first_response_minutes", {}), cal
            )
            for pk, org, ref, start, end, terms, cal in rows
        )
        return ContractResolver(c for c in contracts if c.targets or c.calendar_id is not None)


class PlanResolver:
    def __init__(self, banks: Iterable[_PlanBank]) -> None:
        self.by_organization = _by_organization(banks)

    def terms(self, request: SlaRequest, standard: Terms) -> Iterable[Terms]:
        day = request.received_at.astimezone(VENDOR_ZONE).date()
        for bank in self.by_organization.get(request.organization_id, ()):
            if (
                not bank.valid_from <= day <= bank.valid_until
                or bank.calendar_id == standard.calendar_id
            ):
                continue
            yield Terms(
                source="plan",
                ref=bank.subscription_id,
                calendar_id=bank.calendar_id,
                minutes=standard.minutes,
                label_fr=f"Forfait {bank.name_fr}",
                label_en=f"Plan {bank.name_en or bank.name_fr}",
                rank=20,
            )


class PlanTermsSource:
    """Plans with minutes left: their coverage calendar with the policy's targets (SPEC 3)."""

    name = "plans"

    def resolver(self, organization_ids: Collection[int]) -> PlanResolver:
        rows = HourBank.objects.filter(
            organization_id__in=list(organization_ids),
            source=HourBank.Source.PLAN,
            used_minutes__lt=F("total_minutes"),
            calendar__isnull=False,
        ).values_list(
            "subscription_id", "organization_id", "valid_from", "valid_until", "calendar_id",
            "subscription__plan__name_fr", "subscription__plan__name_en",
        )  # fmt: skip
        return PlanResolver(_PlanBank(*row) for row in rows)
