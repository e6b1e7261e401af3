"""Merging a duplicate into another request, and linking related requests. One transaction each."""

from __future__ import annotations

from django.db import transaction
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.accounts.permissions import require_staff
from soutien.contracts.services import time_entries_move
from soutien.core.errors import Conflict, InvalidInput
from soutien.notifications import events as notify
from soutien.ticketing import history, search
from soutien.ticketing.models import Attachment, Event, Message, Status, Ticket, TicketLink


def _lock_pair(a: Ticket, b: Ticket) -> tuple[Ticket, Ticket]:
    """Both requests locked, always in the same order (no deadlock between two merges)."""
    rows = Ticket.objects.select_for_update().in_bulk([a.pk, b.pk])
    return rows[a.pk], rows[b.pk]


@transaction.atomic
def ticket_merge(*, actor: User, duplicate: Ticket, into: Ticket) -> Ticket:
    """Merge `duplicate` into `into`: messages, files, time and history move; the duplicate is
    closed and points to `into`; its client is told, in its language. Returns `into`."""
    require_staff(actor)
    if duplicate.pk == into.pk:
        raise InvalidInput(_("A request cannot be merged into itself."), field="into")
    duplicate, into = _lock_pair(duplicate, into)
    if duplicate.merged_into_id is not None:
        raise Conflict(_("Request #%(number)s is already merged.") % {"number": duplicate.pk})
    if into.merged_into_id is not None:
        raise InvalidInput(
            _("Request #%(number)s was merged into #%(other)s: merge into that one.")
            % {"number": into.pk, "other": into.merged_into_id},
            field="into",
        )
    if duplicate.organization_id != into.organization_id:
        raise InvalidInput(_("Only requests of the same organization can be merged."), field="into")
    moved = {
        "messages": Message.objects.filter(ticket=duplicate).update(ticket=into),
        "attachments": Attachment.objects.filter(ticket=duplicate).update(ticket=into),
        "time_entries": time_entries_move(source=duplicate, target=into),
        "history": Event.objects.filter(ticket=duplicate).update(ticket=into),
    }
    now = timezone.now()
    previous = duplicate.status
    duplicate.merged_into = into
    duplicate.status = Status.CLOSED
    duplicate.closed_at = now
    duplicate.resolved_at = duplicate.resolved_at or now
    duplicate.updated_at = now
    duplicate.save(
        update_fields=["merged_into", "status", "closed_at", "resolved_at", "updated_at"]
    )
    history.record(duplicate, actor, Event.Action.MERGED, into=into.pk, **moved)
    history.record(duplicate, actor, Event.Action.STATUS, **{"from": previous, "to": Status.CLOSED})
    history.record(into, actor, Event.Action.MERGED, duplicate=duplicate.pk, **moved)
    into.updated_at = now
    into.save(update_fields=["updated_at"])
    notify.ticket_merged(ticket=duplicate, into=into)
    search.reindex([duplicate, into])
    return into


def _pair(a: Ticket, b: Ticket) -> tuple[int, int]:
    return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)


@transaction.atomic
def ticket_link(*, actor: User, ticket: Ticket, other: Ticket) -> TicketLink:
    """Say two requests are related: the link shows on each. Linking twice changes nothing."""
    require_staff(actor)
    if ticket.pk == other.pk:
        raise InvalidInput(_("A request cannot be linked to itself."), field="other")
    ticket, other = _lock_pair(ticket, other)
    first, second = _pair(ticket, other)
    link, created = TicketLink.objects.get_or_create(
        first_id=first, second_id=second, defaults={"created_by": actor}
    )
    if created:
        history.record(ticket, actor, Event.Action.LINKED, other=other.pk)
        history.record(other, actor, Event.Action.LINKED, other=ticket.pk)
    return link


@transaction.atomic
def ticket_unlink(*, actor: User, ticket: Ticket, other: Ticket) -> bool:
    """Remove the link between two requests; False if there was none."""
    require_staff(actor)
    ticket, other = _lock_pair(ticket, other)
    first, second = _pair(ticket, other)
    deleted, _rows = TicketLink.objects.filter(first_id=first, second_id=second).delete()
    if deleted:
        history.record(ticket, actor, Event.Action.UNLINKED, other=other.pk)
        history.record(other, actor, Event.Action.UNLINKED, other=ticket.pk)
    return bool(deleted)


def linked_to(ticket: Ticket, visible: QuerySet[Ticket]) -> list[Ticket]:
    """The requests linked to `ticket` that are in `visible` (what the viewer may see)."""
    pairs = TicketLink.objects.filter(Q(first=ticket) | Q(second=ticket)).values_list(
        "first_id", "second_id"
    )
    ids = {b if a == ticket.pk else a for a, b in pairs}
    return list(visible.filter(pk__in=ids).order_by("pk")) if ids else []


def linked_and_merged(
    ticket: Ticket, visible: QuerySet[Ticket]
) -> tuple[list[Ticket], list[Ticket]]:
    """The requests linked to `ticket` that are in `visible` (by number), and those merged into
    it (latest first), in one query: the link's other end as a subquery, both sets in a UNION."""
    others = (
        TicketLink.objects.filter(Q(first_id=ticket.pk) | Q(second_id=ticket.pk))
        .annotate(other=Case(When(first_id=ticket.pk, then=F("second_id")), default=F("first_id")))
        .values("other")
    )
    flag: BooleanField[bool, bool] = BooleanField()
    # What the panel shows of each: number, subject, status (and the order of the merged).
    shown = ("id", "subject", "status", "received_at", "merged_into")
    linked = (
        visible.filter(pk__in=others)
        .only(*shown)
        .annotate(is_merged=Value(False, output_field=flag))
    )
    merged = (
        Ticket.objects.filter(merged_into_id=ticket.pk)
        .only(*shown)
        .annotate(is_merged=Value(True, output_field=flag))
    )
    rows = list(linked.order_by().union(merged.order_by(), all=True))
    return (
        sorted((t for t in rows if not t.is_merged), key=lambda t: t.pk),
        sorted((t for t in rows if t.is_merged), key=lambda t: (t.received_at, t.pk), reverse=True),
    )
