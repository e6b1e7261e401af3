"""Law 25 actions: retention rules and runs, exports, the incident register, the access log."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core import retention
from soutien.core.errors import InvalidInput, NotAllowed, NotFound
from soutien.privacy import export as exporting
from soutien.privacy.models import AccessEntry, Export, Incident, RetentionRule, RetentionRun

logger = logging.getLogger(__name__)

LATEST_DAY = date(2100, 12, 31)
MAX_DAYS = 100 * 366


def _require_manager(actor: User) -> None:
    if not actor.is_manager:
        raise NotAllowed(_("Only a support manager or an administrator can do this."))


# --- Access log -----------------------------------------------------------------------------


def access_record(*, viewer: User, person: User, where: str) -> AccessEntry | None:
    """Note that `viewer` opened `person`'s record; a person reading their own is not noted."""
    if viewer.pk == person.pk:
        return None
    return AccessEntry.objects.create(
        person=person, viewer=viewer, viewer_name=viewer.display_name[:200], where=where
    )


# --- Retention ------------------------------------------------------------------------------


def rule_set(*, actor: User, kind: str, days: int | None, action: str = "") -> RetentionRule | None:
    """Keep `kind` for `days` then apply `action`; `days` None keeps it for good (no rule)."""
    _require_manager(actor)
    try:
        purger = retention.purger_for(kind)
    except LookupError:
        raise InvalidInput(_("No such kind of record."), field="kind") from None
    if days is None:
        RetentionRule.objects.filter(kind=kind).delete()
        return None
    action = action or purger.actions[0]
    if action not in purger.actions:
        raise InvalidInput(
            _("This kind of record can only be: %(actions)s.")
            % {"actions": ", ".join(purger.actions)},
            field="action",
        )
    if days < purger.minimum_days:
        raise InvalidInput(
            _("This kind of record is kept at least %(days)s days.")
            % {"days": purger.minimum_days},
            field="days",
        )
    if days > MAX_DAYS:
        raise InvalidInput(_("At most %(days)s days.") % {"days": MAX_DAYS}, field="days")
    with transaction.atomic():
        rule, _created = RetentionRule.objects.update_or_create(
            kind=kind,
            defaults={
                "days": days,
                "action": action,
                "updated_by": actor,
                "updated_at": timezone.now(),
            },
        )
    return rule


def retention_run(*, actor: User | None, trigger: str, dry_run: bool) -> RetentionRun:
    """Apply every rule (or, dry, count what each would touch) and keep a record of it."""
    if actor is not None:
        _require_manager(actor)
    elif trigger not in (RetentionRun.Trigger.SCHEDULE, RetentionRun.Trigger.COMMAND):
        raise NotAllowed(_("Only a support manager or an administrator can do this."))
    now = timezone.now()
    run = RetentionRun.objects.create(
        dry_run=dry_run, trigger=trigger, requested_by=actor, started_at=now
    )
    counts: dict[str, dict[str, object]] = {}
    errors = []
    for rule in RetentionRule.objects.order_by("kind"):
        try:
            purger = retention.purger_for(rule.kind)
        except LookupError:
            continue
        before = now - timedelta(days=max(rule.days, purger.minimum_days))
        try:
            count = (purger.count if dry_run else purger.apply)(before, rule.action)
        except Exception as exc:
            # One kind failing does not stop the others; the run says which and why.
            logger.exception("retention of %s failed", rule.kind)
            errors.append(f"{rule.kind}: {exc}")
            count = -1
        counts[rule.kind] = {
            "days": rule.days,
            "action": rule.action,
            "before": before.isoformat(),
            "count": count,
        }
    RetentionRun.objects.filter(pk=run.pk).update(
        counts=counts, finished_at=timezone.now(), error="\n".join(errors)
    )
    run.refresh_from_db()
    return run


# --- Exports --------------------------------------------------------------------------------


def person_for(viewer: User, person_id: int) -> User:
    """A person whose record `viewer` may open: themself, or anyone for a manager.

    Anyone else: a client gets 404 (it learns nothing of who exists), other staff 403.
    """
    person = User.objects.select_related("organization").filter(pk=person_id).first()
    if person is not None and (person.pk == viewer.pk or viewer.is_manager):
        return person
    if person is None or not viewer.is_staff_member:
        raise NotFound(_("Not found."))
    raise NotAllowed(_("Only a support manager or an administrator can do this."))


def _file_name(person: User, at: date) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", person.username.lower()).strip("-")[:40] or str(person.pk)
    return f"soutien-renseignements-{slug}-{at:%Y%m%d}.zip"


def export_request(*, actor: User, person: User) -> Export:
    """Record a request for `person`'s information and make its file (a ZIP of JSON and CSV)."""
    person = person_for(actor, person.pk)
    with transaction.atomic():
        export = Export.objects.create(person=person, requested_by=actor)
        access_record(viewer=actor, person=person, where=AccessEntry.Where.EXPORT)
    # Built after the request is on file: it lists the access just noted. Measured in
    # docs/performance.md: fast enough to make while the requester waits.
    data = exporting.build(person)
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        data=data,
        size=len(data),
        ready_at=now,
        file_name=_file_name(person, timezone.localdate(now)),
    )
    export.refresh_from_db()
    return export


def export_for(viewer: User, export_id: int) -> Export:
    """An export its person, its requester or a manager may fetch; 404 to anyone else."""
    export = Export.objects.select_related("person").filter(pk=export_id).first()
    if export is None or not (
        viewer.is_manager or viewer.pk in (export.person_id, export.requested_by_id)
    ):
        raise NotFound(_("Not found."))
    return export


def export_download(*, actor: User, export: Export) -> Export:
    """Hand over the file: the first download is the delivery, and its date is kept."""
    export = export_for(actor, export.pk)
    if export.ready_at is None:
        raise InvalidInput(_("This export is not ready yet."))
    if export.purged_at is not None:
        raise NotFound(_("This export's file was removed after its retention period."))
    with transaction.atomic():
        locked = Export.objects.select_for_update().get(pk=export.pk)
        locked.downloads += 1
        if locked.delivered_at is None:
            locked.delivered_at = timezone.now()
        locked.save(update_fields=["downloads", "delivered_at"])
    return locked


# --- Incidents ------------------------------------------------------------------------------


@dataclass
class IncidentFields:
    occurred_on: date
    discovered_on: date
    nature: str
    information: str
    people: str
    people_count: int | None = None
    risk: str = Incident.Risk.PENDING
    risk_assessment: str = ""
    commission_notified_on: date | None = None
    people_notified_on: date | None = None
    measures: str = ""


def _check(fields: IncidentFields) -> None:
    today = timezone.localdate()
    if fields.occurred_on > today:
        raise InvalidInput(_("An incident cannot happen in the future."), field="occurred_on")
    if fields.discovered_on > today:
        raise InvalidInput(_("This date is in the future."), field="discovered_on")
    if fields.discovered_on < fields.occurred_on:
        raise InvalidInput(
            _("An incident comes to light on or after the day it happened."),
            field="discovered_on",
        )
    for name in ("commission_notified_on", "people_notified_on"):
        day = getattr(fields, name)
        if day is not None and (day < fields.occurred_on or day > LATEST_DAY):
            raise InvalidInput(_("A notice is given after the incident."), field=name)
    if fields.risk not in Incident.Risk.values:
        raise InvalidInput(_("Unknown risk assessment."), field="risk")
    for name in ("nature", "information", "people"):
        if not str(getattr(fields, name)).strip():
            raise InvalidInput(_("This field is required."), field=name)


def incident_create(*, actor: User, fields: IncidentFields) -> Incident:
    _require_manager(actor)
    _check(fields)
    return Incident.objects.create(recorded_by=actor, **vars(fields))


def incident_update(*, actor: User, incident: Incident, fields: IncidentFields) -> Incident:
    _require_manager(actor)
    _check(fields)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        for name, value in vars(fields).items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
    return locked
