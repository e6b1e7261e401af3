"""The one write of the reports: a client administrator asks for (or stops) the monthly summary."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core.errors import NotAllowed
from soutien.reports.models import MonthlySummaryChoice


@transaction.atomic
def monthly_summary_choose(*, actor: User, wanted: bool) -> bool:
    """Whether the client administrator now receives its organization's monthly summary."""
    if not actor.is_client_admin:
        raise NotAllowed(_("Only a client administrator receives the monthly summary."))
    if wanted:
        MonthlySummaryChoice.objects.get_or_create(user=actor)
    else:
        MonthlySummaryChoice.objects.filter(user=actor).delete()
    return wanted
