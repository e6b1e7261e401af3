"""What expires among the knowledge base's records: the search log (queries typed, per day)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.core import retention
from soutien.kb.models import SearchStat


def _old(before: datetime) -> QuerySet[SearchStat]:
    # A day counts as past once the whole day, in the desk's zone, is before the cutoff.
    return SearchStat.objects.filter(day__lt=timezone.localdate(before))


def register() -> None:
    retention.deleting(
        kind="search_log",
        label=_("Search log"),
        description=_("What was typed in the help centre's search, counted per day."),
        rows=_old,
        owner="kb",
    )
