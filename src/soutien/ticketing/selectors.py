"""Reads on requests, always narrowed to what the viewer may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from soutien.accounts.models import User
from soutien.ticketing.models import Attachment, Event, Message, MessageKind, Status, Ticket


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Staff see every request; a client administrator its organization's; a contact its own."""
    qs = Ticket.objects.all()
    if user.is_staff_member:
        return qs
    organization_id = user.organization_id
    if organization_id is None:
        return qs.none()
    if user.is_client_admin:
        return qs.filter(organization_id=organization_id)
    return qs.filter(contact_id=user.pk, organization_id=organization_id)


def ticket_for(user: User, ticket_id: int, **annotations: Any) -> Ticket:
    """The request if the user may see it; 404 otherwise, whether or not it exists.
    `annotations`: further values read with it, in the same query (a count, for a page)."""
    ticket = (
        tickets_visible_to(user)
        .select_related("organization", "contact", "assignee")
        .annotate(**annotations)
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def messages_visible_to(user: User, ticket: Ticket) -> QuerySet[Message]:
    """A request's messages, without internal notes for clients, with authors and files."""
    qs = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not user.is_staff_member:
        qs = qs.exclude(kind=MessageKind.NOTE)
    return qs


def messages_and_original_files(
    user: User, ticket: Ticket
) -> tuple[list[Message], list[Attachment]]:
    """What `messages_visible_to` gives, with the request's own files (those of no message),
    all the files read in one query instead of one for the messages' and one for the request's.
    Each message's `attachments.all()` is then its files, by number, without a query."""
    messages = list(messages_visible_to(user, ticket).prefetch_related(None))
    files = list(ticket.attachments.order_by("id"))
    by_message: dict[int, list[Attachment]] = {m.pk: [] for m in messages}
    original: list[Attachment] = []
    for f in files:
        if f.message_id is None:
            original.append(f)
        elif f.message_id in by_message:  # not a client's view of an internal note's file
            by_message[f.message_id].append(f)
    for m in messages:
        # What prefetch_related stores: the related manager's queryset, already evaluated.
        cached = m.attachments.all()
        cached._result_cache = by_message[m.pk]
        cached._prefetch_done = True  # type: ignore[attr-defined]
        m._prefetched_objects_cache = {"attachments": cached}  # type: ignore[attr-defined]
    original.sort(key=lambda f: (f.created_at, f.pk))  # the model's order, as the page had it
    return messages, original


def attachments_visible_to(user: User) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(ticket__in=tickets_visible_to(user))
    if not user.is_staff_member:
        # A file attached to an internal note is as private as the note.
        qs = qs.exclude(message__kind=MessageKind.NOTE)
    return qs


def attachment_for(user: User, attachment_id: int) -> Attachment:
    attachment = attachments_visible_to(user).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


def history_of(ticket: Ticket) -> QuerySet[Event]:
    return ticket.events.select_related("actor")


def last_request_at(contact_id: int) -> datetime | None:
    """When the contact's latest request arrived (an inquiry, for implied consent)."""
    return (
        Ticket.objects.filter(contact_id=contact_id)
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )


def resolved_between(level: int, start: datetime, end: datetime) -> QuerySet[Ticket]:
    """Requests of a level resolved in [start, end), still resolved or closed, latest first."""
    return (
        Ticket.objects.filter(
            level=level,
            resolved_at__gte=start,
            resolved_at__lt=end,
            status__in=[Status.RESOLVED, Status.CLOSED],
        )
        .select_related("organization")
        .order_by("-resolved_at", "-id")
    )
