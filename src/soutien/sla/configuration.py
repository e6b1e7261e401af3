"""Support managers edit calendars, closures and the policy; every edit recomputes open requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts.models import User, validate_time_zone
from soutien.accounts.permissions import require_manager
from soutien.core.errors import Conflict, InvalidInput
from soutien.sla.engine import configuration_changed
from soutien.sla.models import Closure, Policy, ServiceCalendar, validate_windows
from soutien.sla.tasks import recompute_later

MANAGERS_ONLY = gettext_lazy("Only a support manager or an administrator can change service hours.")


def _changed(calendar: ServiceCalendar | None = None) -> None:
    if calendar is not None:
        calendar.revision += 1
        calendar.updated_at = timezone.now()
        calendar.save(update_fields=["revision", "updated_at"])
    configuration_changed()
    recompute_later()


def _invalid(exc: ValidationError, field: str) -> InvalidInput:
    return InvalidInput(" ".join(exc.messages), field=field)


@transaction.atomic
def calendar_save(
    *,
    actor: User,
    calendar: ServiceCalendar | None = None,
    name: str,
    time_zone: str = "America/Toronto",
    always_open: bool = False,
    windows: dict[str, Any] | None = None,
    holiday_country: str = "CA",
    holiday_subdivision: str = "QC",
) -> ServiceCalendar:
    """Create or edit a calendar: weekly hours as {"0": [[480, 1020]], ...} (0 = Monday)."""
    require_manager(actor, MANAGERS_ONLY)
    name = name.strip()
    if not name:
        raise InvalidInput(_("The name cannot be empty."), field="name")
    windows = windows or {}
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise _invalid(exc, "time_zone") from exc
    try:
        validate_windows(windows)
    except ValidationError as exc:
        raise _invalid(exc, "windows") from exc
    if not always_open and not any(windows.values()):
        raise InvalidInput(_("Give at least one time range, or make it 24/7."), field="windows")
    calendar = calendar or ServiceCalendar()
    calendar.name = name
    calendar.time_zone = time_zone
    calendar.always_open = always_open
    calendar.windows = {day: ranges for day, ranges in sorted(windows.items()) if ranges}
    calendar.holiday_country = holiday_country.upper()[:2]
    calendar.holiday_subdivision = holiday_subdivision.upper()[:5]
    try:
        with transaction.atomic():
            calendar.save()
    except IntegrityError as exc:
        raise Conflict(_("A calendar with this name already exists."), field="name") from exc
    _changed(calendar)
    return calendar


@transaction.atomic
def closure_add(*, actor: User, calendar: ServiceCalendar, day: date, reason: str = "") -> Closure:
    require_manager(actor, MANAGERS_ONLY)
    closure, _created = Closure.objects.update_or_create(
        calendar=calendar, date=day, defaults={"reason": reason.strip()[:200]}
    )
    _changed(calendar)
    return closure


@transaction.atomic
def closure_remove(*, actor: User, closure: Closure) -> None:
    require_manager(actor, MANAGERS_ONLY)
    calendar = closure.calendar
    closure.delete()
    _changed(calendar)


@transaction.atomic
def policy_publish(
    *,
    actor: User,
    effective_from: datetime,
    text_fr: str,
    text_en: str = "",
    calendar: ServiceCalendar,
    minutes_untriaged: int,
    minutes_level_1: int,
    minutes_level_2: int,
    minutes_level_3: int,
) -> Policy:
    """Publish a new version; it governs requests received from `effective_from` on."""
    require_manager(actor, MANAGERS_ONLY)
    if timezone.is_naive(effective_from):
        raise InvalidInput(_("Give the time with its UTC offset."), field="effective_from")
    if not text_fr.strip():
        raise InvalidInput(_("The French text is required."), field="text_fr")
    targets = (minutes_untriaged, minutes_level_1, minutes_level_2, minutes_level_3)
    if any(m < 1 for m in targets):
        raise InvalidInput(
            _("A target is a whole number of minutes, at least 1."), field="minutes_level_1"
        )
    if Policy.objects.filter(effective_from=effective_from).exists():
        raise Conflict(_("A version already starts at this moment."), field="effective_from")
    policy = Policy.objects.create(
        effective_from=effective_from,
        text_fr=text_fr,
        text_en=text_en,
        calendar=calendar,
        minutes_untriaged=minutes_untriaged,
        minutes_level_1=minutes_level_1,
        minutes_level_2=minutes_level_2,
        minutes_level_3=minutes_level_3,
        created_by=actor,
    )
    _changed()
    return policy
