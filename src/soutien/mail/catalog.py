"""Every email Soutien sends: one function each, called by the service that causes it.

Each function stores the email (`outbound.queue`) in the caller's transaction; its templates
are `mail/emails/<name>/<fr|en>.subject.txt`, `.txt` and `.html`, rendered at delivery by
`context_for()` in the recipient's language and time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from soutien.accounts.models import User
from soutien.mail.models import InboundEmail, OutboundEmail
from soutien.mail.outbound import AUTO_GENERATED, AUTO_REPLIED, queue
from soutien.ticketing.models import Message, Status, Ticket

# A status change told within this long after a public reply is already said by the reply.
REPLY_COVERS_STATUS = timedelta(minutes=2)


def _client_email(ticket: Ticket) -> User | None:
    contact = ticket.contact
    return contact if contact.email and contact.is_active else None


def acknowledgement(*, ticket: Ticket) -> OutboundEmail | None:
    """To the client: we have your request, its number, and when we will answer at the latest."""
    contact = _client_email(ticket)
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


def reply(*, message: Message) -> OutboundEmail | None:
    """To the client: a technician's public reply, with its files."""
    contact = _client_email(message.ticket)
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


def status_changed(
    *, ticket: Ticket, actor: User | None, old: str, new: str
) -> OutboundEmail | None:
    """To the client, when staff move the request (not when the client or the system did)."""
    if actor is None or not actor.is_staff_member or new == Status.NEW:
        return None
    contact = _client_email(ticket)
    if contact is None:
        return None
    if (
        new == Status.WAITING
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


def sla_alert(*, recipients: Iterable[User], kind: str, ticket: Ticket, due: datetime) -> int:
    """To staff, beside the in-app notice: a first response due soon, or overdue."""
    assert kind in ("sla_warning", "sla_breach")
    sent = 0
    for person in recipients:
        if person.email and queue(
            template=kind,
            to_address=person.email,
            language=person.language,
            recipient=person,
            ticket_id=ticket.pk,
            context={"due": due.isoformat()},
            auto_submitted=AUTO_GENERATED,
        ):
            sent += 1
    return sent


def bank_low(
    *, recipients: Iterable[User], bank_id: int, threshold: int, left: int, total: int,
    labels: dict[str, str],
) -> int:  # fmt: skip
    """To the client administrator and the managers, beside the in-app notice: hours running out."""
    sent = 0
    for person in recipients:
        if person.email and queue(
            template="bank_low",
            to_address=person.email,
            language=person.language,
            recipient=person,
            context={
                "bank": bank_id,
                "threshold": threshold,
                "left_minutes": left,
                "total_minutes": total,
                "label": labels.get(person.language) or labels.get("fr", ""),
            },
            auto_submitted=AUTO_GENERATED,
        ):
            sent += 1
    return sent


def refusal(*, email: InboundEmail, address: str, language: str) -> OutboundEmail | None:
    """To an unknown sender when the mailbox refuses them: politely, once in a while at most."""
    return queue(
        template="refusal",
        to_address=address,
        language=language,
        answers=email,
        context={"subject": email.subject},
        auto_submitted=AUTO_REPLIED,
    )


def _url(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _minutes(value: int) -> str:
    hours, minutes = divmod(abs(int(value)), 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def _ticket_context(row: OutboundEmail) -> dict[str, Any]:
    ticket = row.ticket
    assert ticket is not None
    staff = row.recipient is not None and row.recipient.is_staff_member
    return {
        "ticket": ticket,
        "number": ticket.number,
        "due": ticket.first_response_due,
        "terms": ticket.governing_terms(row.language),
        "url": _url("console:ticket" if staff else "portal:ticket", ticket.pk),
    }


def _acknowledgement(row: OutboundEmail) -> dict[str, Any]:
    return _ticket_context(row)


def _reply(row: OutboundEmail) -> dict[str, Any]:
    context = _ticket_context(row)
    message = row.reply
    context["message"] = message
    context["files"] = list(message.attachments.order_by("id")) if message else []
    return context


def _status_changed(row: OutboundEmail) -> dict[str, Any]:
    context = _ticket_context(row)
    ticket = context["ticket"]
    context["new"] = row.context.get("new", ticket.status)
    context["old"] = row.context.get("old", "")
    context["assignee"] = ticket.assignee.display_name if ticket.assignee else ""
    return context


def _sla(row: OutboundEmail) -> dict[str, Any]:
    context = _ticket_context(row)
    due = parse_datetime(str(row.context.get("due", "")))
    context["due"] = due or context["due"]
    context["organization"] = context["ticket"].organization.name
    return context


def _bank_low(row: OutboundEmail) -> dict[str, Any]:
    data = row.context
    return {
        "threshold": data.get("threshold"),
        "label": data.get("label", ""),
        "left": _minutes(int(data.get("left_minutes", 0))),
        "total": _minutes(int(data.get("total_minutes", 0))),
        "url": settings.SITE_URL,
    }


def _refusal(row: OutboundEmail) -> dict[str, Any]:
    return {"subject": row.context.get("subject", "")}


CONTEXTS: dict[str, Callable[[OutboundEmail], dict[str, Any]]] = {
    "acknowledgement": _acknowledgement,
    "reply": _reply,
    "status_changed": _status_changed,
    "sla_warning": _sla,
    "sla_breach": _sla,
    "bank_low": _bank_low,
    "refusal": _refusal,
}


# The first line of emails a client answers: what is below it is quoted history.
REPLY_MARKERS = {
    "fr": "##- Répondez au-dessus de cette ligne -##",
    "en": "##- Reply above this line -##",
}
ANSWERABLE = frozenset({"acknowledgement", "reply", "status_changed"})


def context_for(row: OutboundEmail) -> dict[str, Any]:
    context = CONTEXTS[row.template](row)
    context.setdefault("recipient", row.recipient)
    context["site_url"] = settings.SITE_URL
    context["lang"] = row.language
    context["marker"] = REPLY_MARKERS[row.language] if row.template in ANSWERABLE else ""
    return context
