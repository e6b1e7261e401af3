"""What expires among the requests' records: attachments, and closed requests themselves.

A closed request is anonymized by default: it is filed under the organization's stand-in contact
and loses its subject, description, messages' text, callers and files, while its number, dates,
level, status and the time logged on it stay for statements and reports. "Delete" removes the
request, unless something must outlive it (time drawn from an hour bank, an agreement): such a
request is anonymized instead.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import F, OuterRef, ProtectedError, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.retention import placeholder_contact
from soutien.core import retention
from soutien.ticketing import search
from soutien.ticketing.models import Attachment, Event, Message, Status, Ticket

BATCH = 100
ANONYMIZED_SUBJECT = "—"


def _old_attachments(before: datetime) -> QuerySet[Attachment]:
    # Files of requests still being worked on are kept, however old.
    return Attachment.objects.filter(
        created_at__lt=before, ticket__status__in=[Status.RESOLVED, Status.CLOSED]
    )


def _delete_files(rows: QuerySet[Attachment]) -> int:
    done = 0
    for attachment in list(rows):
        # The row goes in the transaction; the file after the commit, so a rollback loses nothing.
        name, storage = attachment.file.name, attachment.file.storage
        attachment.delete()
        if name:
            transaction.on_commit(partial(storage.delete, name))
        done += 1
    return done


def _apply_attachments(before: datetime, action: str) -> int:
    done = 0
    while True:
        with transaction.atomic():
            batch = _old_attachments(before).order_by("pk")[:BATCH]
            ids = list(batch.values_list("pk", flat=True))
            if not ids:
                return done
            done += _delete_files(Attachment.objects.filter(pk__in=ids))


def _old_requests(before: datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        status=Status.CLOSED, closed_at__lt=before, anonymized_at__isnull=True
    )


def anonymize(tickets: list[Ticket]) -> None:
    """Clear these requests' personal information (in the caller's transaction)."""
    ids = [t.pk for t in tickets]
    contact_of = Ticket.objects.filter(pk=OuterRef("ticket_id")).values("contact_id")[:1]
    for organization_id in {t.organization_id for t in tickets}:
        stand_in = placeholder_contact(
            next(t.organization for t in tickets if t.organization_id == organization_id)
        )
        of_org = [t.pk for t in tickets if t.organization_id == organization_id]
        # What the contact wrote is filed under the stand-in; what they did, under nobody.
        Message.objects.filter(ticket_id__in=of_org, author_id=Subquery(contact_of)).update(
            author=stand_in
        )
        Event.objects.filter(ticket_id__in=of_org, actor_id=Subquery(contact_of)).update(actor=None)
        Ticket.objects.filter(pk__in=of_org, created_by_id=F("contact_id")).update(created_by=None)
        Ticket.objects.filter(pk__in=of_org).update(
            contact=stand_in, subject=ANONYMIZED_SUBJECT, body="", anonymized_at=timezone.now()
        )
    Message.objects.filter(ticket_id__in=ids).update(body="", caller="")
    _delete_files(Attachment.objects.filter(ticket_id__in=ids))
    # A field's old and new values may be personal; statuses and levels are not.
    Event.objects.filter(ticket_id__in=ids, action=Event.Action.FIELD).update(data={})
    # The search index holds the words that were just cleared: index what is left.
    search.reindex(Ticket.objects.filter(pk__in=ids).select_related("contact", "organization"))


def _apply_requests(before: datetime, action: str) -> int:
    done = 0
    while True:
        ids = list(_old_requests(before).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        with transaction.atomic():
            batch = list(
                _old_requests(before)
                .select_for_update(of=("self",))
                .filter(pk__in=ids)
                .select_related("organization")
            )
            keep = batch
            if action == retention.DELETE:
                keep = [t for t in batch if not _delete(t)]
            anonymize(keep)
            done += len(batch)


def _delete(ticket: Ticket) -> bool:
    files = list(Attachment.objects.filter(ticket=ticket))
    try:
        with transaction.atomic():
            ticket.delete()
    except ProtectedError:
        return False
    for attachment in files:
        name, storage = attachment.file.name, attachment.file.storage
        if name:
            transaction.on_commit(partial(storage.delete, name))
    return True


def register() -> None:
    retention.register(
        retention.Purger(
            kind="attachments",
            label=_("Attachments"),
            description=_("Files attached to requests that are resolved or closed."),
            count=lambda before, action: _old_attachments(before).count(),
            apply=_apply_attachments,
            owner="ticketing",
        )
    )
    retention.register(
        retention.Purger(
            kind="closed_requests",
            label=_("Closed requests"),
            description=_(
                "Requests closed before the period: anonymized (the contact detached, the "
                "subject, text and files cleared; number, dates and time logged kept) or deleted."
            ),
            count=lambda before, action: _old_requests(before).count(),
            apply=_apply_requests,
            actions=(retention.ANONYMIZE, retention.DELETE),
            owner="ticketing",
        )
    )
