"""Writes on contracts, plans, hour banks and time entries; each service is one transaction.

Time entries are allocated to banks in the order they were logged (by id). Editing or deleting
one gives back the minutes of that entry and of every later entry of the organization, then
allocates them again in the same order, so freed minutes go to later work that needed them.
Banks are locked while this happens (row locks on PostgreSQL; SQLite's IMMEDIATE transactions
serialize writers): concurrent entries never over-draw a bank.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts.models import Organization, User
from soutien.accounts.permissions import require_manager, require_staff
from soutien.contracts.allocation import BankState, allocate
from soutien.contracts.models import (
    Allocation,
    BankAlert,
    Credit,
    HourBank,
    LicenseContract,
    Plan,
    QuotedWork,
    Service,
    Subscription,
    TimeEntry,
    TimeEntryChange,
    validate_terms,
)
from soutien.contracts.signals import entries_reallocated
from soutien.contracts.terms import VENDOR_ZONE
from soutien.core.dates import check_year
from soutien.core.db import lock_row
from soutien.core.errors import Conflict, InvalidInput
from soutien.notifications import events as notify
from soutien.sla.engine import Snapshot, configuration_changed, snapshot
from soutien.sla.models import ServiceCalendar
from soutien.sla.tasks import recompute_later
from soutien.ticketing import history
from soutien.ticketing.models import Event, Message, Ticket

STAFF_ONLY = gettext_lazy("Only support staff log time.")
MANAGERS_ONLY = gettext_lazy("Only a support manager or an administrator can manage contracts.")
MAX_ENTRY_MINUTES = 24 * 60
# A time entry may be logged a little ahead of the clock, never for work not yet done.
FUTURE_TOLERANCE = timedelta(minutes=5)
ALERT_THRESHOLDS = (25, 10, 0)


def _check_period(starts_on: date, ends_on: date) -> None:
    check_year(starts_on, field="starts_on")
    check_year(ends_on, field="ends_on")
    if ends_on < starts_on:
        raise InvalidInput(_("The period ends before it starts."), field="ends_on")


@transaction.atomic
def contract_create(
    *,
    actor: User,
    organization: Organization,
    reference: str,
    starts_on: date,
    ends_on: date,
    included_minutes: int = 0,
    terms: dict[str, Any] | None = None,
    calendar: ServiceCalendar | None = None,
) -> LicenseContract:
    """Record a license contract and open its hour bank (in the standard hours, or its own)."""
    require_manager(actor, MANAGERS_ONLY)
    reference = reference.strip()
    if not reference:
        raise InvalidInput(_("The reference cannot be empty."), field="reference")
    _check_period(starts_on, ends_on)
    if included_minutes < 0:
        raise InvalidInput(_("Included minutes cannot be negative."), field="included_minutes")
    terms = terms or {}
    try:
        validate_terms(terms)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="terms") from exc
    contract = LicenseContract(
        organization=organization,
        reference=reference,
        starts_on=starts_on,
        ends_on=ends_on,
        included_minutes=included_minutes,
        terms=terms,
        calendar=calendar,
    )
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        raise Conflict(
            _("This organization already has a contract with this reference."), field="reference"
        ) from exc
    HourBank.objects.create(
        organization=organization,
        source=HourBank.Source.CONTRACT,
        contract=contract,
        total_minutes=included_minutes,
        valid_from=starts_on,
        valid_until=ends_on,
        calendar=calendar,
    )
    if contract.has_own_terms:
        configuration_changed()
        recompute_later(organization_id=organization.pk)
    return contract


@transaction.atomic
def plan_save(
    *,
    actor: User,
    plan: Plan | None = None,
    code: str,
    name_fr: str,
    name_en: str = "",
    minutes: int,
    calendar: ServiceCalendar,
    services: Sequence[str] = (),
    is_custom: bool = True,
    is_active: bool = True,
) -> Plan:
    """Create or edit a plan (`Support personnalisé` and the like), configured without code."""
    require_manager(actor, MANAGERS_ONLY)
    code = slugify(code)
    if not code:
        raise InvalidInput(_("The code cannot be empty."), field="code")
    if not name_fr.strip():
        raise InvalidInput(_("The French name is required."), field="name_fr")
    if minutes < 1:
        raise InvalidInput(_("A plan includes at least one minute."), field="minutes")
    if any(s not in Service.values for s in services):
        raise InvalidInput(_("Unknown service in the plan."), field="services")
    plan = plan or Plan()
    plan.code, plan.name_fr, plan.name_en = code, name_fr.strip(), name_en.strip()
    plan.minutes, plan.calendar, plan.services = minutes, calendar, list(services)
    plan.is_custom, plan.is_active = is_custom, is_active
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise Conflict(_("A plan with this code already exists."), field="code") from exc
    configuration_changed()  # plan names and coverage are part of the SLA terms
    return plan


@transaction.atomic
def subscription_create(
    *,
    actor: User,
    organization: Organization,
    plan: Plan,
    starts_on: date,
    ends_on: date,
    minutes: int | None = None,
) -> Subscription:
    """Subscribe an organization to a plan; its hour bank covers the plan's calendar."""
    require_manager(actor, MANAGERS_ONLY)
    _check_period(starts_on, ends_on)
    if not plan.is_active:
        raise InvalidInput(_("This plan is no longer offered."), field="plan")
    minutes = plan.minutes if minutes is None else minutes
    if minutes < 1:
        raise InvalidInput(_("A plan includes at least one minute."), field="minutes")
    subscription = Subscription.objects.create(
        organization=organization, plan=plan, starts_on=starts_on, ends_on=ends_on, minutes=minutes
    )
    HourBank.objects.create(
        organization=organization,
        source=HourBank.Source.PLAN,
        subscription=subscription,
        total_minutes=minutes,
        valid_from=starts_on,
        valid_until=ends_on,
        calendar=plan.calendar,
    )
    # A plan with hours left is a further source of SLA terms for the organization's requests.
    configuration_changed()
    recompute_later(organization_id=organization.pk)
    return subscription


def _locked_banks(organization_id: int) -> dict[int, HourBank]:
    """The organization's banks, locked in id order (a fixed order: no deadlocks)."""
    banks = HourBank.objects.select_for_update().filter(organization_id=organization_id)
    return {bank.pk: bank for bank in banks.order_by("id")}


def _banks_offering(banks: dict[int, HourBank], service: str) -> set[int]:
    """The banks among these whose plan includes `service` (a contract's never does)."""
    plans = Subscription.objects.filter(bank__in=list(banks)).values_list("bank", "plan__services")
    return {bank_id for bank_id, services in plans if service in (services or [])}


def _states(
    banks: dict[int, HourBank], at: datetime, snap: Snapshot, service: str = ""
) -> list[BankState]:
    """The banks that can still give minutes, with their coverage calendars.

    Work that is a plan's service (training) may only use the banks of plans that include it;
    ordinary support may use every bank.
    """
    policy = snap.policy_at(at)
    standard_id = policy.calendar_id if policy else None
    offering = _banks_offering(banks, service) if service else None
    states = []
    for bank in banks.values():
        calendar_id = bank.calendar_id or standard_id
        if calendar_id is None or bank.left_minutes <= 0:
            continue
        if offering is not None and bank.pk not in offering:
            continue
        states.append(
            BankState(
                id=bank.pk,
                valid_from=bank.valid_from,
                valid_until=bank.valid_until,
                calendar=snap.calendar(calendar_id),
                left=bank.left_minutes,
                created=bank.created_at,
            )
        )
    return states


# The quoted stretches of work of one organization's requests, by request.
Quotes = dict[int, list[QuotedWork]]


def _quotes(organization_id: int) -> Quotes:
    found: Quotes = {}
    for quote in QuotedWork.objects.filter(organization_id=organization_id):
        found.setdefault(quote.ticket_id, []).append(quote)
    return found


def _allocate_entry(
    entry: TimeEntry, banks: dict[int, HourBank], snap: Snapshot, quotes: Quotes
) -> None:
    if any(quote.covers(entry.started_at) for quote in quotes.get(entry.ticket_id, ())):
        # Paid by a quote: nothing drawn, nothing billable as overage.
        entry.overage_minutes = 0
        return
    states = _states(banks, entry.started_at, snap, entry.service)
    split = allocate(entry.started_at, entry.minutes, states, VENDOR_ZONE)
    Allocation.objects.bulk_create(
        Allocation(entry=entry, bank_id=bank_id, minutes=minutes)
        for bank_id, minutes in split.drawn.items()
    )
    for bank_id, minutes in split.drawn.items():
        banks[bank_id].used_minutes += minutes
    entry.overage_minutes = split.overage


def _give_back(entries: Sequence[TimeEntry], banks: dict[int, HourBank]) -> None:
    """Return the minutes these entries drew to their banks and forget the allocations."""
    allocations = Allocation.objects.filter(entry__in=list(entries))
    for allocation in allocations:
        banks[allocation.bank_id].used_minutes -= allocation.minutes
    allocations.delete()


def _save_banks(banks: dict[int, HourBank], before: dict[int, int]) -> list[HourBank]:
    changed = [bank for pk, bank in banks.items() if bank.used_minutes != before[pk]]
    HourBank.objects.bulk_update(changed, ["used_minutes"])
    # A plan with no minutes left stops setting due times (and starts again if given some back).
    if any(
        bank.source == HourBank.Source.PLAN
        and (bank.left_minutes == 0) != (bank.total_minutes - before[bank.pk] == 0)
        for bank in changed
    ):
        configuration_changed()
    return changed


def _snapshot_of(entry: TimeEntry) -> dict[str, object]:
    """What the audit trail keeps of an entry (allocations read fresh from the database)."""
    allocations = Allocation.objects.filter(entry_id=entry.pk).order_by("bank_id")
    return {
        "started_at": entry.started_at.isoformat(),
        "minutes": entry.minutes,
        "note": entry.note,
        "overage_minutes": entry.overage_minutes,
        "allocations": {str(a.bank_id): a.minutes for a in allocations},
    }


def _audit(entry: TimeEntry, actor: User | None, action: str, before: dict[str, object]) -> None:
    after = {} if action == TimeEntryChange.Action.DELETED else _snapshot_of(entry)
    TimeEntryChange.objects.create(
        entry_id=entry.pk,
        organization_id=entry.organization_id,
        ticket_id=entry.ticket_id,
        actor=actor,
        action=action,
        before=before,
        after=after,
    )


def _check(started_at: datetime, minutes: int) -> None:
    if timezone.is_naive(started_at):
        raise InvalidInput(_("Give the time with its UTC offset."), field="started_at")
    if not 1 <= minutes <= MAX_ENTRY_MINUTES:
        raise InvalidInput(_("A time entry lasts between 1 minute and 24 hours."), field="minutes")
    if started_at > timezone.now() + FUTURE_TOLERANCE:
        raise InvalidInput(_("Work cannot be logged ahead of time."), field="started_at")
    if started_at < timezone.now() - timedelta(days=366 * 5):
        raise InvalidInput(_("This moment is too far in the past."), field="started_at")


def _reallocate_later(
    organization_id: int,
    after_id: int,
    banks: dict[int, HourBank],
    actor: User | None,
    snap: Snapshot,
    quotes: Quotes,
) -> None:
    """Give back and allocate again, in order, every entry logged after `after_id`."""
    later = list(
        TimeEntry.objects.filter(organization_id=organization_id, id__gt=after_id).order_by("id")
    )
    if not later:
        return
    previous = {entry.pk: _snapshot_of(entry) for entry in later}
    _give_back(later, banks)
    for entry in later:
        _allocate_entry(entry, banks, snap, quotes)
    TimeEntry.objects.bulk_update(later, ["overage_minutes"])
    entries_reallocated.send(
        sender=TimeEntry,
        organization_id=organization_id,
        moments=[entry.started_at for entry in later],
    )
    for entry in later:
        now = _snapshot_of(entry)
        before = previous[entry.pk]
        if (now["allocations"], now["overage_minutes"]) != (
            before["allocations"],
            before["overage_minutes"],
        ):
            _audit(entry, actor, TimeEntryChange.Action.REALLOCATED, before)


def _after_change(banks: list[HourBank]) -> None:
    for bank in banks:
        _alert_low_balance(bank)


def time_entry_create(
    *,
    actor: User,
    ticket: Ticket,
    started_at: datetime,
    minutes: int,
    note: str = "",
    call: Message | None = None,
    service: str = "",
) -> TimeEntry:
    """Log work on a request; each minute is drawn from the right bank, the rest is overage.

    `service`: work that is a plan's service (`Service.TRAINING`), drawn only from the banks of
    plans that include it; what they do not cover is billable.
    """
    require_staff(actor, STAFF_ONLY)
    _check(started_at, minutes)
    if service and service not in Service.values:
        raise InvalidInput(_("Unknown service: %(value)s.") % {"value": service}, field="service")
    with transaction.atomic():
        banks = _locked_banks(ticket.organization_id)
        before = {pk: bank.used_minutes for pk, bank in banks.items()}
        entry = TimeEntry.objects.create(
            ticket=ticket,
            organization_id=ticket.organization_id,
            technician=actor,
            started_at=started_at,
            minutes=minutes,
            note=note,
            call=call,
            service=service,
        )
        _allocate_entry(entry, banks, snapshot(), _quotes(ticket.organization_id))
        entry.save(update_fields=["overage_minutes"])
        changed = _save_banks(banks, before)
        _audit(entry, actor, TimeEntryChange.Action.CREATED, {})
        history.record(ticket, actor, Event.Action.TIME, entry=entry.pk, minutes=minutes)
        _after_change(changed)
    return entry


def time_entry_for_call(*, message: Message) -> TimeEntry:
    """The time entry of a logged phone call: from its start, for its duration."""
    assert message.call_duration_minutes is not None
    return time_entry_create(
        actor=message.author,
        ticket=message.ticket,
        started_at=message.at,
        minutes=message.call_duration_minutes,
        note=message.body[:500],
        call=message,
    )


def time_entry_update(
    *,
    actor: User,
    entry: TimeEntry,
    started_at: datetime | None = None,
    minutes: int | None = None,
    note: str | None = None,
) -> TimeEntry:
    """Change an entry; its minutes and those of later entries are given back and re-allocated."""
    require_staff(actor, STAFF_ONLY)
    started_at = entry.started_at if started_at is None else started_at
    minutes = entry.minutes if minutes is None else minutes
    _check(started_at, minutes)
    with transaction.atomic():
        banks = _locked_banks(entry.organization_id)
        before = {pk: bank.used_minutes for pk, bank in banks.items()}
        entry = lock_row(TimeEntry, entry.pk)
        previous = _snapshot_of(entry)
        _give_back([entry], banks)
        entry.started_at, entry.minutes = started_at, minutes
        if note is not None:
            entry.note = note
        entry.updated_at = timezone.now()
        snap, quotes = snapshot(), _quotes(entry.organization_id)
        _allocate_entry(entry, banks, snap, quotes)
        entry.save(update_fields=["started_at", "minutes", "note", "overage_minutes", "updated_at"])
        _reallocate_later(entry.organization_id, entry.pk, banks, actor, snap, quotes)
        changed = _save_banks(banks, before)
        _audit(entry, actor, TimeEntryChange.Action.EDITED, previous)
        _after_change(changed)
    return entry


def time_entry_delete(*, actor: User, entry: TimeEntry) -> None:
    """Delete an entry: its minutes go back to their banks and later entries may use them."""
    require_staff(actor, STAFF_ONLY)
    with transaction.atomic():
        banks = _locked_banks(entry.organization_id)
        before = {pk: bank.used_minutes for pk, bank in banks.items()}
        entry = lock_row(TimeEntry, entry.pk)
        _audit(entry, actor, TimeEntryChange.Action.DELETED, _snapshot_of(entry))
        _give_back([entry], banks)
        entry_id, organization_id = entry.pk, entry.organization_id
        entry.delete()
        _reallocate_later(
            organization_id, entry_id, banks, actor, snapshot(), _quotes(organization_id)
        )
        _save_banks(banks, before)


@transaction.atomic
def quoted_work_open(*, ticket: Ticket, at: datetime, reference: str) -> QuotedWork:
    """From `at`, work logged on the request is paid by a quote and draws from no bank.

    Called by the service that agreed the quote (a development agreement going into
    production), in its transaction; opening an already open stretch keeps it.
    """
    open_quote = QuotedWork.objects.filter(ticket=ticket, ends_at__isnull=True).first()
    if open_quote is not None:
        return open_quote
    return QuotedWork.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        starts_at=at,
        reference=reference[:200],
    )


@transaction.atomic
def quoted_work_close(*, ticket: Ticket, at: datetime) -> QuotedWork | None:
    """Work logged on the request from `at` on draws from the hour banks again."""
    quote = QuotedWork.objects.select_for_update().filter(ticket=ticket, ends_at__isnull=True)
    found = quote.first()
    if found is None:
        return None
    found.ends_at = max(at, found.starts_at)
    found.save(update_fields=["ends_at"])
    return found


def _alert_low_balance(bank: HourBank) -> None:
    """Alert once per bank when its balance falls to 25 %, 10 % and 0 % left."""
    if bank.total_minutes == 0:
        return
    for threshold in ALERT_THRESHOLDS:
        if bank.left_minutes * 100 > threshold * bank.total_minutes:
            continue
        try:
            with transaction.atomic():
                BankAlert.objects.create(bank=bank, threshold=threshold)
        except IntegrityError:
            continue
        notify.hours_running_low(bank=bank, threshold=threshold)


@transaction.atomic
def credit_grant(
    *,
    actor: User,
    organization: Organization,
    note: str,
    bank: HourBank | None = None,
    minutes: int = 0,
    waived_overage_minutes: int = 0,
    reference: str = "",
) -> Credit:
    """Give minutes back to one of the organization's banks and/or waive billable overage.

    The bank's total grows by the minutes credited (its entries stay as they were drawn); the
    statement of the period shows the credit with its note.
    """
    require_manager(actor, _("Only a support manager can grant a credit."))
    note = note.strip()
    if not note:
        raise InvalidInput(_("Say why: the statement shows this note."), field="note")
    if minutes < 0 or waived_overage_minutes < 0 or minutes + waived_overage_minutes == 0:
        raise InvalidInput(_("Credit some minutes or waive some overage."), field="minutes")
    if minutes and bank is None:
        raise InvalidInput(_("Choose the bank the minutes go back to."), field="bank")
    if bank is not None:
        bank = HourBank.objects.select_for_update().get(pk=bank.pk)
        if bank.organization_id != organization.pk:
            raise InvalidInput(_("This bank is not the organization's."), field="bank")
        if minutes:
            bank.total_minutes += minutes
            bank.save(update_fields=["total_minutes"])
            configuration_changed()  # a plan bank with minutes again may govern due times
    return Credit.objects.create(
        organization=organization,
        bank=bank if minutes else None,
        minutes=minutes,
        waived_overage_minutes=waived_overage_minutes,
        note=note,
        reference=reference,
        granted_by=actor,
    )


def time_entries_move(*, source: Ticket, target: Ticket) -> int:
    """Move the time logged on a request to another of the same organization (a merge).

    In the caller's transaction; the minutes stay drawn from the same banks (same client,
    same moments). Returns how many entries moved.
    """
    if source.organization_id != target.organization_id:
        raise InvalidInput(_("Both requests must belong to the same organization."))
    return TimeEntry.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)
