"""The emails notifications send: each kind's templates and the context they are filled with.

Rendered by the outbox at the first delivery attempt, in the recipient's language and time
zone, from what the row points to (its request, its reply) and what it carries (`context`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from soutien.notifications.satisfaction import rating_links
from soutien.outbound.kinds import Attached, EmailKind, register
from soutien.outbound.models import OutboundEmail

TEMPLATES = "notifications/emails"


def _url(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _minutes(value: int) -> str:
    hours, minutes = divmod(abs(int(value)), 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def ticket_context(row: OutboundEmail) -> dict[str, Any]:
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


def _reply(row: OutboundEmail) -> dict[str, Any]:
    context = ticket_context(row)
    message = row.reply
    context["message"] = message
    context["files"] = list(message.attachments.order_by("id")) if message else []
    return context


def _reply_files(row: OutboundEmail) -> list[Attached]:
    """The reply's files, as many as fit under the attachment limit."""
    files: list[Attached] = []
    total = 0
    for attachment in row.reply.attachments.order_by("id") if row.reply else []:
        total += attachment.size
        if total > settings.SOUTIEN_MAX_ATTACHMENT_BYTES:
            break
        with attachment.file.open("rb") as handle:
            files.append((attachment.name, handle.read(), attachment.content_type))
    return files


def _status_changed(row: OutboundEmail) -> dict[str, Any]:
    context = ticket_context(row)
    ticket = context["ticket"]
    context["new"] = row.context.get("new", ticket.status)
    context["old"] = row.context.get("old", "")
    context["assignee"] = ticket.assignee.display_name if ticket.assignee else ""
    if context["new"] == "resolved" and not (row.recipient and row.recipient.is_staff_member):
        context["rate"] = rating_links(ticket.pk)
    return context


def _sla(row: OutboundEmail) -> dict[str, Any]:
    context = ticket_context(row)
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


def _merged(row: OutboundEmail) -> dict[str, Any]:
    context = ticket_context(row)
    into = int(row.context.get("into", 0))
    staff = row.recipient is not None and row.recipient.is_staff_member
    context["into"] = into
    context["into_subject"] = row.context.get("into_subject", "")
    context["url"] = _url("console:ticket" if staff else "portal:ticket", into)
    return context


def _refusal(row: OutboundEmail) -> dict[str, Any]:
    return {"subject": row.context.get("subject", "")}


for kind in (
    EmailKind("acknowledgement", f"{TEMPLATES}/acknowledgement", ticket_context, answerable=True),
    EmailKind("reply", f"{TEMPLATES}/reply", _reply, _reply_files, answerable=True),
    EmailKind("status_changed", f"{TEMPLATES}/status_changed", _status_changed, answerable=True),
    EmailKind("sla_warning", f"{TEMPLATES}/sla_warning", _sla),
    EmailKind("sla_breach", f"{TEMPLATES}/sla_breach", _sla),
    EmailKind("bank_low", f"{TEMPLATES}/bank_low", _bank_low),
    EmailKind("refusal", f"{TEMPLATES}/refusal", _refusal),
    EmailKind("merged", f"{TEMPLATES}/merged", _merged, answerable=True),
):
    register(kind)
