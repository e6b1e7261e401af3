"""License contracts as a source of SLA terms: their own targets and/or their own calendar."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from zoneinfo import ZoneInfo

from soutien.contracts.models import LicenseContract
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
