"""Writes on contracts; any change to terms recomputes the organization's open requests."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from soutien.accounts.models import Organization, User
from soutien.contracts.models import LicenseContract, validate_terms
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.sla.models import ServiceCalendar
from soutien.sla.services import recompute_later


def _require_manager(actor: User) -> None:
    if not actor.is_manager:
        raise NotAllowed(_("Only a support manager or an administrator can manage contracts."))


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
    _require_manager(actor)
    reference = reference.strip()
    if not reference:
        raise InvalidInput(_("The reference cannot be empty."), field="reference")
    if ends_on < starts_on:
        raise InvalidInput(_("The contract ends before it starts."), field="ends_on")
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
    if contract.has_own_terms:
        recompute_later(organization_id=organization.pk)
    return contract
