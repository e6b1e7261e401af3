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
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from soutien.accounts.retention import placeholder_contact
from soutien.core import retention
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


def anonymize(ticket: Ticket) -> None:
    """Clear one request's personal information (in the caller's transaction)."""
    stand_in = placeholder_contact(ticket.organization)
    person = ticket.contact_id
    Message.objects.filter(ticket=ticket, author_id=person).update(author=stand_in)
    Message.objects.filter(ticket=ticket).update(body="", caller="")
    _delete_files(Attachment.objects.filter(ticket=ticket))
    Event.objects.filter(ticket=ticket, actor_id=person).update(actor=None)
    # A field's old and new values may be personal; statuses and levels are not.
    Event.objects.filter(ticket=ticket, action=Event.Action.FIELD).update(data={})
    Ticket.objects.filter(pk=ticket.pk).update(
        contact=stand_in,
        created_by=None if ticket.created_by_id == person else ticket.created_by_id,
        subject=ANONYMIZED_SUBJECT,
        body="",
        anonymized_at=timezone.now(),
    )


def _apply_requests(before: datetime, action: str) -> int:
    done = 0
    while True:
        tickets = list(_old_requests(before).select_related("organization").order_by("pk")[:BATCH])
        if not tickets:
            return done
        for ticket in tickets:
            with transaction.atomic():
                locked = Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
                if locked is None or locked.anonymized_at is not None:
                    continue
                if action == retention.DELETE and _delete(locked):
                    done += 1
                    continue
                anonymize(locked)
                done += 1


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
