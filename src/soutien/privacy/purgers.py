"""What expires among the privacy app's own records: the access log, export files, old incidents."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.core import retention
from soutien.privacy.models import INCIDENT_KEPT_DAYS, AccessEntry, Export, Incident


def _access(before: datetime) -> QuerySet[AccessEntry]:
    return AccessEntry.objects.filter(at__lt=before)


def _exports(before: datetime) -> QuerySet[Export]:
    return Export.objects.filter(requested_at__lt=before, purged_at__isnull=True)


def _incidents(before: datetime) -> QuerySet[Incident]:
    # Whatever the rule says, the register keeps an incident five years (a second guard sits in
    # the model's delete).
    kept = timezone.now() - timedelta(days=INCIDENT_KEPT_DAYS)
    return Incident.objects.filter(recorded_at__lt=min(before, kept))


def _clear_exports(before: datetime, action: str) -> int:
    with transaction.atomic():
        return _exports(before).update(data=b"", purged_at=timezone.now())


def register() -> None:
    retention.deleting(
        kind="access_log",
        label=_("Access log"),
        description=_("Who opened a person's record, and when."),
        rows=_access,
        owner="privacy",
    )
    retention.register(
        retention.Purger(
            kind="exports",
            label=_("Personal information exports"),
            description=_(
                "The ZIP files made for a person. The file is removed; the record of the "
                "request and of its delivery stays."
            ),
            count=lambda before, action: _exports(before).count(),
            apply=_clear_exports,
            owner="privacy",
        )
    )
    retention.deleting(
        kind="incidents",
        label=_("Confidentiality incidents"),
        description=_("The register of incidents: kept at least five years."),
        rows=_incidents,
        minimum_days=INCIDENT_KEPT_DAYS,
        owner="privacy",
    )
