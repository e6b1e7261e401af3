"""Who is told what: one function per event, called by the domain service that causes it.

Each function picks the recipients and writes the in-app notice and the email (stored in the
outbox, delivered by the worker) in the caller's transaction, each recipient in their own
language. Domain objects are read, never changed, and this module imports no domain code: the
services pass what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from soutien.accounts.models import User
from soutien.notifications import recipients
from soutien.notifications.models import Notification
from soutien.notifications.services import email_each, post
from soutien.outbound.models import OutboundEmail
from soutien.outbound.outbox import AUTO_GENERATED, AUTO_REPLIED, queue

if TYPE_CHECKING:
    from soutien.contracts.models import HourBank
    from soutien.ticketing.models import Message, Ticket

# A change to "waiting on client" told within this long after a public reply is already said
# by the reply.
REPLY_COVERS_STATUS = timedelta(minutes=2)
# Status values as the ticketing app stores them (this layer sits below it: no import).
NEW, WAITING = "new", "waiting"


def ticket_created(*, ticket: Ticket) -> OutboundEmail | None:
    """To the client: we have your request, its number, and when we will answer at the latest."""
    contact = recipients.client_contact(ticket)
    if contact is None:
        return None
    return queue(
        template="acknowledgement",
        to_address=contact.email,
        language=contact.language,
        recipient=contact,
        ticket_id=ticket.pk,
        auto_submitted=AUTO_REPLIED,
    )


def reply_posted(*, message: Message) -> OutboundEmail | None:
    """To the client: a technician's public reply, with its files."""
    contact = recipients.client_contact(message.ticket)
    if contact is None:
        return None
    return queue(
        template="reply",
        to_address=contact.email,
        language=contact.language,
        recipient=contact,
        ticket_id=message.ticket_id,
        reply_id=message.pk,
        context={"author": message.author.display_name},
    )


def ticket_assigned(*, ticket: Ticket, actor: User | None, technician: User | None) -> int:
    """To the technician given a request by someone else (not when they took it themselves)."""
    if technician is None or actor is None or technician.pk == actor.pk:
        return 0
    return post([technician], Notification.Kind.ASSIGNED, ticket=ticket, by=actor.display_name)


def status_changed(
    *, ticket: Ticket, actor: User | None, old: str, new: str
) -> OutboundEmail | None:
    """To the client, when staff move the request (not when the client or the system did)."""
    if actor is None or not actor.is_staff_member or new == NEW:
        return None
    contact = recipients.client_contact(ticket)
    if contact is None:
        return None
    if (
        new == WAITING
        and OutboundEmail.objects.filter(
            ticket_id=ticket.pk,
            template="reply",
            created_at__gte=timezone.now() - REPLY_COVERS_STATUS,
        )
        .exclude(status=OutboundEmail.Status.SUPPRESSED)
        .exists()
    ):
        return None
    return queue(
        template="status_changed",
        to_address=contact.email,
        language=contact.language,
        recipient=contact,
        ticket_id=ticket.pk,
        context={"old": old, "new": new},
        auto_submitted=AUTO_GENERATED,
    )


def _staff_alert(people: Iterable[User], kind: str, *, ticket: Ticket, due: datetime) -> int:
    people = list(people)
    post(people, kind, ticket=ticket, due=due)
    return email_each(people, kind, context={"due": due.isoformat()}, ticket_id=ticket.pk)


def first_response_due_soon(*, ticket: Ticket, due: datetime) -> int:
    """To whoever handles the request: its first response is due in 15 service minutes."""
    people = recipients.handlers(ticket, with_managers=False)
    return _staff_alert(people, Notification.Kind.SLA_WARNING, ticket=ticket, due=due)


def first_response_overdue(*, ticket: Ticket, due: datetime) -> int:
    """To whoever handles the request and the managers: its first response is overdue."""
    people = recipients.handlers(ticket, with_managers=True)
    return _staff_alert(people, Notification.Kind.SLA_BREACH, ticket=ticket, due=due)


def hours_running_low(*, bank: HourBank, threshold: int) -> int:
    """To the client administrators and the managers: 25, 10 or 0 % of a bank's hours left."""
    people = recipients.bank_watchers(bank.organization_id)
    labels = {"fr": bank.label("fr"), "en": bank.label("en")}
    post(
        people,
        Notification.Kind.BANK_LOW,
        bank=bank.pk,
        threshold=threshold,
        left_minutes=bank.left_minutes,
        total_minutes=bank.total_minutes,
        label_fr=labels["fr"],
        label_en=labels["en"],
    )
    return email_each(
        people,
        "bank_low",
        context=lambda person: {
            "bank": bank.pk,
            "threshold": threshold,
            "left_minutes": bank.left_minutes,
            "total_minutes": bank.total_minutes,
            "label": labels.get(person.language) or labels["fr"],
        },
    )


def sender_refused(
    *, address: str, language: str, subject: str, in_reply_to: str, mailbox_address: str
) -> OutboundEmail | None:
    """To an unknown sender when the mailbox refuses them: politely, once in a while at most."""
    return queue(
        template="refusal",
        to_address=address,
        language=language,
        in_reply_to=in_reply_to,
        reply_to=mailbox_address,
        context={"subject": subject},
        auto_submitted=AUTO_REPLIED,
    )


def ticket_merged(*, ticket: Ticket, into: Ticket) -> OutboundEmail | None:
    """To the client: this request was a duplicate; it goes on under the other one's number."""
    contact = recipients.client_contact(ticket)
    if contact is None:
        return None
    return queue(
        template="merged",
        to_address=contact.email,
        language=contact.language,
        recipient=contact,
        ticket_id=ticket.pk,
        context={"into": into.pk, "into_subject": into.subject},
        auto_submitted=AUTO_GENERATED,
    )
