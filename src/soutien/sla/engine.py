"""The SLA engine: which terms govern a request, and when its first response is due.

The published policy in force at `received_at` always gives terms; every registered source
(contracts, plans) may add more. Each gives a due time on its own calendar; the earliest wins.
"""

from __future__ import annotations

import bisect
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from soutien.sla import terms as terms_registry
from soutien.sla.calendar import Calendar
from soutien.sla.calendars import build
from soutien.sla.models import Closure, Policy, ServiceCalendar, SlaConfig
from soutien.sla.terms import SlaRequest, Terms, TermsResolver

# A warning goes out this much service time before the due time.
WARNING_MINUTES = 15


@dataclass(frozen=True, slots=True)
class Decision:
    due: datetime
    warn_at: datetime
    terms: Terms


class Snapshot:
    """Calendars and policy versions as of one configuration version, shared by a process."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.rows = {row.pk: row for row in ServiceCalendar.objects.all()}
        self.closures: dict[int, list[date]] = {}
        for calendar_id, day in Closure.objects.values_list("calendar_id", "date"):
            self.closures.setdefault(calendar_id, []).append(day)
        self.policies = list(Policy.objects.order_by("effective_from"))
        self._starts = [p.effective_from for p in self.policies]
        self._built: dict[int, Calendar] = {}
        self._policy_terms: dict[tuple[int, int | None], Terms] = {}
        # What each terms source knows of one organization, loaded at its first request.
        self._resolvers: dict[int, list[TermsResolver]] = {}

    def calendar(self, calendar_id: int) -> Calendar:
        found = self._built.get(calendar_id)
        if found is None:
            if calendar_id not in self.rows:
                # Created after this snapshot was taken (its version bump not yet visible).
                self.rows[calendar_id] = ServiceCalendar.objects.get(pk=calendar_id)
                self.closures[calendar_id] = list(
                    Closure.objects.filter(calendar_id=calendar_id).values_list("date", flat=True)
                )
            found = build(self.rows[calendar_id], self.closures.get(calendar_id, ()))
            self._built[calendar_id] = found
        return found

    def calendar_name(self, calendar_id: int) -> str:
        return self.rows[calendar_id].name

    def resolvers_for(self, organization_id: int) -> list[TermsResolver]:
        """The sources' resolvers for one organization, kept until the configuration changes.

        Contracts, subscriptions and plan banks running dry all move the configuration
        version, so a new request costs one version read instead of a query per source.
        """
        found = self._resolvers.get(organization_id)
        if found is None:
            found = [source.resolver({organization_id}) for source in terms_registry.sources()]
            with _lock:
                self._resolvers[organization_id] = found
        return found

    def policy_terms(self, policy: Policy, level: int | None) -> Terms:
        key = (policy.pk, level)
        found = self._policy_terms.get(key)
        if found is None:
            found = self._policy_terms[key] = _policy_terms(policy, level)
        return found

    def policy_at(self, at: datetime) -> Policy | None:
        index = bisect.bisect_right(self._starts, at) - 1
        return self.policies[index] if index >= 0 else None


_lock = threading.Lock()
_snapshot: Snapshot | None = None


def current_version() -> int:
    return SlaConfig.objects.values_list("version", flat=True).filter(pk=1).first() or 0


def snapshot() -> Snapshot:
    """The configuration in force: one indexed read when nothing changed since last time."""
    global _snapshot
    version = current_version()
    cached = _snapshot
    if cached is not None and cached.version == version:
        return cached
    fresh = Snapshot(version)
    with _lock:
        _snapshot = fresh
    return fresh


def configuration_changed() -> None:
    """Call in the transaction of any edit to calendars, closures, the policy, contracts or plans.

    The new version is random, not the next number: a change rolled back after a process
    cached it must not share its version with a later, different change.
    """
    version = secrets.randbits(62)
    if not SlaConfig.objects.filter(pk=1).update(version=version):
        SlaConfig.objects.update_or_create(pk=1, defaults={"version": version})


def _policy_terms(policy: Policy, level: int | None) -> Terms:
    day = policy.version_date.isoformat()
    return Terms(
        source="policy",
        ref=policy.pk,
        calendar_id=policy.calendar_id,
        minutes=policy.minutes_for(level),
        label_fr=f"Politique de soutien publiée (version du {day})",
        label_en=f"Published support policy (version of {day})",
        rank=0,
    )


def decide_many(
    requests: Sequence[SlaRequest], *, snap: Snapshot | None = None
) -> list[Decision | None]:
    """Due times for many requests at once (a few queries whatever their number).

    None for a request received before any policy version was in force.
    """
    snap = snap or snapshot()
    organization_ids = {r.organization_id for r in requests}
    if len(organization_ids) == 1:
        resolvers = snap.resolvers_for(next(iter(organization_ids)))
    else:
        resolvers = [source.resolver(organization_ids) for source in terms_registry.sources()]
    decisions: list[Decision | None] = []
    for request in requests:
        policy = snap.policy_at(request.received_at)
        if policy is None:
            decisions.append(None)
            continue
        standard = snap.policy_terms(policy, request.level)
        candidates = [standard]
        for resolver in resolvers:
            candidates.extend(resolver.terms(request, standard))
        best: tuple[datetime, int, Terms] | None = None
        for terms in candidates:
            due = snap.calendar(terms.calendar_id).add(request.received_at, terms.minutes)
            if best is None or (due, terms.rank) < (best[0], best[1]):
                best = (due, terms.rank, terms)
        assert best is not None
        due, _rank, governing = best
        calendar = snap.calendar(governing.calendar_id)
        warn_at = (
            calendar.add(request.received_at, governing.minutes - WARNING_MINUTES)
            if governing.minutes > WARNING_MINUTES
            else request.received_at
        )
        decisions.append(Decision(due=due, warn_at=warn_at, terms=governing))
    return decisions


def decide(request: SlaRequest) -> Decision | None:
    return decide_many([request])[0]
