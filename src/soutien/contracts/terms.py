"""License contracts as a source of SLA terms: their own targets and/or their own calendar."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from zoneinfo import ZoneInfo

from django.db.models import F

from soutien.contracts.models import HourBank, LicenseContract
from soutien.sla.terms import SlaRequest, Terms

# Contract dates are read in the vendor's time zone, like the standard service hours.
VENDOR_ZONE = ZoneInfo("America/Toronto")


class ContractResolver:
    def __init__(self, contracts: Iterable[LicenseContract]) -> None:
        self.by_organization: dict[int, list[LicenseContract]] = {}
        for contract in contracts:
            self.by_organization.setdefault(contract.organization_id, []).append(contract)

    def terms(self, request: SlaRequest, standard: Terms) -> Iterable[Terms]:
        day = request.received_at.astimezone(VENDOR_ZONE).date()
        for contract in self.by_organization.get(request.organization_id, ()):
            if not contract.starts_on <= day <= contract.ends_on:
                continue
            minutes = contract.target_for(request.level) or standard.minutes
            calendar_id = contract.calendar_id or standard.calendar_id
            if (minutes, calendar_id) == (standard.minutes, standard.calendar_id):
                continue
            yield Terms(
                source="contract",
                ref=contract.pk,
                calendar_id=calendar_id,
                minutes=minutes,
                label_fr=f"Contrat de licence {contract.reference}",
                label_en=f"License contract {contract.reference}",
                rank=10,
            )


class ContractTermsSource:
    name = "contracts"

    def resolver(self, organization_ids: Collection[int]) -> ContractResolver:
        contracts = LicenseContract.objects.filter(organization_id__in=list(organization_ids))
        return ContractResolver(c for c in contracts if c.has_own_terms)


class PlanResolver:
    def __init__(self, banks: Iterable[HourBank]) -> None:
        self.by_organization: dict[int, list[HourBank]] = {}
        for bank in banks:
            self.by_organization.setdefault(bank.organization_id, []).append(bank)

    def terms(self, request: SlaRequest, standard: Terms) -> Iterable[Terms]:
        day = request.received_at.astimezone(VENDOR_ZONE).date()
        for bank in self.by_organization.get(request.organization_id, ()):
            if not bank.valid_from <= day <= bank.valid_until or bank.calendar_id is None:
                continue
            if bank.calendar_id == standard.calendar_id:
                continue
            plan = bank.subscription.plan  # type: ignore[union-attr]
            yield Terms(
                source="plan",
                ref=bank.subscription_id or 0,
                calendar_id=bank.calendar_id,
                minutes=standard.minutes,
                label_fr=f"Forfait {plan.name('fr')}",
                label_en=f"Plan {plan.name('en')}",
                rank=20,
            )


class PlanTermsSource:
    """Plans with minutes left: their coverage calendar with the policy's targets (SPEC 3)."""

    name = "plans"

    def resolver(self, organization_ids: Collection[int]) -> PlanResolver:
        banks = HourBank.objects.filter(
            organization_id__in=list(organization_ids),
            source=HourBank.Source.PLAN,
            used_minutes__lt=F("total_minutes"),
        ).select_related("subscription__plan")
        return PlanResolver(banks)
