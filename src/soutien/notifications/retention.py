"""What expires among the notices: staff's in-app notices (they name requests and people)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from soutien.core import retention
from soutien.notifications.models import Notification


def _old(before: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(created_at__lt=before)


def register() -> None:
    retention.deleting(
        kind="notices",
        label=_("Staff notices"),
        description=_("The console's notices to staff, read or not."),
        rows=_old,
        owner="notifications",
    )
