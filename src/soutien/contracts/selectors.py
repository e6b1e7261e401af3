"""Reads on hour banks and time entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet, Sum

from soutien.accounts.models import Organization
from soutien.contracts.models import Allocation, HourBank, LicenseContract, Subscription, TimeEntry


def banks_of(organization: Organization) -> QuerySet[HourBank]:
    return (
        HourBank.objects.filter(organization=organization)
        .select_related("contract", "subscription__plan", "calendar")
        .order_by("-valid_until", "id")
    )


def banks_offering(organization_id: int, service: str, on: date) -> list[HourBank]:
    """Banks with minutes left on `on` of the organization's plans that include `service`,
    in the order they would be drawn (expires first, then oldest)."""
    banks = (
        HourBank.objects.filter(
            organization_id=organization_id,
            subscription__isnull=False,
            valid_from__lte=on,
            valid_until__gte=on,
        )
        .select_related("subscription__plan")
        .order_by("valid_until", "created_at", "id")
    )
    return [
        bank
        for bank in banks
        if bank.left_minutes > 0
        and bank.subscription is not None
        and bank.subscription.plan.includes(service)
    ]


def subscriptions_including(organization_id: int, service: str, on: date) -> list[Subscription]:
    """The organization's plan subscriptions valid on `on` whose plan includes `service`."""
    subscriptions = Subscription.objects.filter(
        organization_id=organization_id, starts_on__lte=on, ends_on__gte=on
    ).select_related("plan")
    return [s for s in subscriptions if s.plan.includes(service)]


def entries_of(organization: Organization, *, limit: int = 100) -> list[TimeEntry]:
    """The organization's latest time entries, with their allocations and requests."""
    return list(
        TimeEntry.objects.filter(organization=organization)
        .select_related("ticket", "technician")
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.order_by("bank_id")))
        .order_by("-started_at", "-id")[:limit]
    )


def entries_of_bank(bank: HourBank) -> QuerySet[Allocation]:
    """What used a bank: each allocation with its entry and request, newest first."""
    return (
        Allocation.objects.filter(bank=bank)
        .select_related("entry__ticket", "entry__technician")
        .order_by("-entry__started_at", "-id")
    )


def allocations_by_bank(banks: list[HourBank]) -> dict[int, list[Allocation]]:
    """What used each bank, newest first, in one query for all of them."""
    grouped: dict[int, list[Allocation]] = {bank.pk: [] for bank in banks}
    rows = (
        Allocation.objects.filter(bank__in=banks)
        .select_related("entry__ticket", "entry__technician")
        .order_by("-entry__started_at", "-id")
    )
    for allocation in rows:
        grouped[allocation.bank_id].append(allocation)
    return grouped


def overage_by_organization() -> QuerySet[Organization]:
    """Organizations with billable overage, the most first."""
    return (
        Organization.objects.annotate(overage=Sum("time_entries__overage_minutes"))
        .filter(overage__gt=0)
        .order_by("-overage", "name")
    )


def overage_minutes_by_organization() -> dict[int, int]:
    """Billable overage minutes per organization id (organizations without any are absent)."""
    rows = (
        TimeEntry.objects.filter(overage_minutes__gt=0)
        .values("organization_id")
        .annotate(total=Sum("overage_minutes"))
    )
    return {row["organization_id"]: row["total"] for row in rows}


@dataclass(frozen=True)
class Relationship:
    """What ties an organization to the vendor for the longest: a contract or a plan."""

    source: str  # "contract" or "plan"
    reference: str  # the contract's reference, or the plan's code
    ends_on: date


def business_relationship(organization_id: int) -> Relationship | None:
    """The organization's contract or plan subscription that ends last, if it has any."""
    contract = (
        LicenseContract.objects.filter(organization_id=organization_id)
        .order_by("-ends_on", "-id")
        .values_list("reference", "ends_on")
        .first()
    )
    plan = (
        Subscription.objects.filter(organization_id=organization_id)
        .order_by("-ends_on", "-id")
        .values_list("plan__code", "ends_on")
        .first()
    )
    found = [
        Relationship(source, reference, ends_on)
        for source, row in (("contract", contract), ("plan", plan))
        if row is not None
        for reference, ends_on in [row]
    ]
    return max(found, key=lambda r: r.ends_on, default=None)


def banks_by_organization(organization_ids: set[int]) -> dict[int, list[HourBank]]:
    """The banks of these organizations, the latest valid first, in one query."""
    found: dict[int, list[HourBank]] = {}
    rows = (
        HourBank.objects.filter(organization_id__in=organization_ids)
        .select_related("contract", "subscription__plan")
        .order_by("-valid_until", "id")
    )
    for bank in rows:
        found.setdefault(bank.organization_id, []).append(bank)
    return found
