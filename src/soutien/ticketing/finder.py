"""Finding requests: words, filters and an order, as the console, the portal, saved views and the
API ask for them. Always narrowed to what the viewer may see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core.errors import InvalidInput
from soutien.ticketing import search
from soutien.ticketing.models import ACTIVE_STATUSES, Channel, Status, Ticket
from soutien.ticketing.selectors import tickets_visible_to

# "At risk": an active request still awaiting its first response, due within this time.
AT_RISK = timedelta(hours=1)
ORDERINGS: dict[str, list[Any]] = {
    "sla_due": [F("first_response_due").asc(nulls_last=True), "id"],
    "-sla_due": [F("first_response_due").desc(nulls_last=True), "-id"],
    "received_at": ["received_at", "id"],
    "-received_at": ["-received_at", "-id"],
    "updated_at": ["updated_at", "id"],
    "-updated_at": ["-updated_at", "-id"],
}
SLA_STATES = ("breached", "at_risk")
LEVELS = ("1", "2", "3", "none")


@dataclass
class Filters:
    """What to look for. Every field is optional; the default order is the soonest due first."""

    q: str = ""
    status: list[str] = field(default_factory=list)
    level: str = ""
    organization: int | None = None
    assignee: str = ""  # a technician's id, "me" or "none"
    channel: str = ""
    received_from: date | None = None
    received_to: date | None = None
    sla: str = ""  # "breached" or "at_risk"
    ordering: str = "sla_due"

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, ordering: str = "sla_due") -> Filters:
        """Read filters from query parameters (strings); a bad value is an `InvalidInput`."""

        def get(name: str) -> str:
            value = params.get(name)
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            return " ".join(str(value or "").split())

        statuses = [s for s in get("status").replace(" ", ",").split(",") if s]
        for value in statuses:
            if value not in Status.values:
                raise InvalidInput(
                    _("Unknown status: %(value)s.") % {"value": value}, field="status"
                )
        level = get("level")
        if level and level not in LEVELS:
            raise InvalidInput(_("The level must be 1, 2, 3 or none."), field="level")
        organization = get("organization")
        if organization and (not organization.isdigit() or len(organization) > 18):
            raise InvalidInput(_("Unknown organization."), field="organization")
        assignee = get("assignee")
        if (
            assignee
            and assignee not in ("me", "none")
            and (not assignee.isdigit() or len(assignee) > 18)
        ):
            raise InvalidInput(
                _('The assignee is a technician id, "me" or "none".'), field="assignee"
            )
        channel = get("channel")
        if channel and channel not in Channel.values:
            raise InvalidInput(
                _("Unknown channel: %(value)s.") % {"value": channel}, field="channel"
            )
        sla = get("sla")
        if sla and sla not in SLA_STATES:
            raise InvalidInput(_("Say breached or at_risk."), field="sla")
        chosen = get("ordering") or ordering
        if chosen not in ORDERINGS:
            raise InvalidInput(_("Unknown order: %(value)s.") % {"value": chosen}, field="ordering")
        return cls(
            q=get("q")[: search.MAX_QUERY],
            status=statuses,
            level=level,
            organization=int(organization) if organization else None,
            assignee=assignee,
            channel=channel,
            received_from=_day(get("received_from"), "received_from"),
            received_to=_day(get("received_to"), "received_to"),
            sla=sla,
            ordering=chosen,
        )

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (only those given), the inverse of `from_params`."""
        out: dict[str, str] = {}
        for name, value in asdict(self).items():
            if isinstance(value, list):
                value = ",".join(value)
            if value in ("", None, []):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("Give a date as YYYY-MM-DD."), field=name) from None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def find(user: User, filters: Filters, *, now: datetime | None = None) -> QuerySet[Ticket]:
    """The requests `user` may see that match `filters`, in the order asked.

    A client's search never reads internal notes; a client's requests are those of its
    organization (client administrator) or its own (contact), as everywhere.
    """
    now = now or timezone.now()
    qs = tickets_visible_to(user)
    if filters.q:
        qs = search.matching(qs, filters.q, staff=user.is_staff_member)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.level == "none":
        qs = qs.filter(level__isnull=True)
    elif filters.level:
        qs = qs.filter(level=int(filters.level))
    if filters.organization:
        qs = qs.filter(organization_id=filters.organization)
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.received_from:
        qs = qs.filter(received_at__gte=_start_of(filters.received_from))
    if filters.received_to:
        qs = qs.filter(received_at__lt=_start_of(filters.received_to + timedelta(days=1)))
    if filters.sla == "breached":
        qs = qs.filter(
            Q(first_responded_at__isnull=True, first_response_due__lt=now)
            | Q(first_responded_at__gt=F("first_response_due")),
            first_response_due__isnull=False,
        )
    elif filters.sla == "at_risk":
        qs = qs.filter(
            status__in=ACTIVE_STATUSES,
            first_responded_at__isnull=True,
            first_response_due__gte=now,
            first_response_due__lt=now + AT_RISK,
        )
    return qs.order_by(*ORDERINGS[filters.ordering])


def neighbours(user: User, filters: Filters, ticket: Ticket) -> tuple[int | None, int | None]:
    """The requests before and after `ticket` in the list `filters` makes (None at the ends).

    The hook for "next request" and "send and next": the same list, in the same order, read
    from where `ticket` stands; when it has left the list (answered, taken by someone else),
    the next is the first of the list.
    """
    ids = list(find(user, filters).values_list("pk", flat=True)[:2000])
    if ticket.pk not in ids:
        return None, (ids[0] if ids else None)
    at = ids.index(ticket.pk)
    before = ids[at - 1] if at > 0 else None
    after = ids[at + 1] if at + 1 < len(ids) else None
    return before, after
