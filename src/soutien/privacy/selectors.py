"""Reads for the privacy pages: rules with their kinds, runs, exports, incidents, access log."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core import retention
from soutien.privacy.export import safe_cell
from soutien.privacy.models import AccessEntry, Export, Incident, RetentionRule, RetentionRun


@dataclass(frozen=True)
class KindRule:
    purger: retention.Purger
    rule: RetentionRule | None


def kinds_with_rules() -> list[KindRule]:
    rules = {r.kind: r for r in RetentionRule.objects.select_related("updated_by")}
    return [KindRule(p, rules.get(p.kind)) for p in retention.purgers()]


def runs(*, limit: int = 20) -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("requested_by")[:limit])


def run_for(viewer: User, run_id: int) -> RetentionRun | None:
    if not viewer.is_manager:
        return None
    return RetentionRun.objects.filter(pk=run_id).first()


def exports_of(person: User) -> QuerySet[Export]:
    return Export.objects.filter(person=person).select_related("requested_by").defer("data")


def access_log_of(person: User, *, limit: int = 50) -> list[AccessEntry]:
    return list(AccessEntry.objects.filter(person=person)[:limit])


def incidents() -> QuerySet[Incident]:
    return Incident.objects.select_related("recorded_by")


CSV_FIELDS = (
    "id",
    "occurred_on",
    "discovered_on",
    "nature",
    "information",
    "people",
    "people_count",
    "risk",
    "risk_assessment",
    "commission_notified_on",
    "people_notified_on",
    "measures",
    "recorded_at",
)


def incidents_csv() -> bytes:
    """The register as CSV, its header in the reader's language (cells safe from formulas)."""
    headers = [str(getattr(Incident._meta.get_field(f), "verbose_name", f)) for f in CSV_FIELDS[1:]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Number"), *headers])
    for incident in incidents().order_by("occurred_on", "id"):
        row = [getattr(incident, f) for f in CSV_FIELDS]
        row[CSV_FIELDS.index("risk")] = incident.get_risk_display()
        writer.writerow([safe_cell("" if v is None else v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()


def person_visible(viewer: User, person_id: int) -> User | None:
    """A person's record as `viewer` may open it: staff any; a client administrator its
    organization's people; anyone themself. None otherwise (the caller answers 404)."""
    person = User.objects.select_related("organization").filter(pk=person_id).first()
    if person is None:
        return None
    if viewer.is_staff_member or viewer.pk == person.pk:
        return person
    if viewer.is_client_admin and viewer.organization_id == person.organization_id:
        return person
    return None
