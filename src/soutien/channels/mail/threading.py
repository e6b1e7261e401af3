"""How Soutien's emails about one request thread with the client's: the mail channel knows both.

Registered with the outbox (`soutien.outbound.kinds.use_threading`) when the app is ready.
"""

from __future__ import annotations

from soutien.channels.mail.models import InboundEmail, Mailbox
from soutien.outbound.message_ids import root_message_id, thread_index
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Ticket

MAX_REFERENCES = 20


class RequestThreads:
    """In-Reply-To, References and Outlook's Thread-Index, so every client groups the emails."""

    def headers(self, row: OutboundEmail) -> dict[str, str]:
        if row.ticket_id is None:
            return {}
        ticket: Ticket | None = row.ticket  # already read by the email's context
        assert ticket is not None
        inbound = list(
            InboundEmail.objects.filter(ticket_id=ticket.pk, created_at__lte=row.created_at)
            .exclude(status=InboundEmail.Status.QUARANTINED)
            .order_by("id")
            .values_list("message_id", "created_at", "client_message_id")
        )
        earlier = list(
            OutboundEmail.objects.filter(
                ticket_id=ticket.pk, id__lt=row.pk, to_address=row.to_address
            )
            .exclude(status=OutboundEmail.Status.SUPPRESSED)
            .order_by("id")
            .values_list("message_id", "created_at")
        )
        opening = [mid for mid, _, message in inbound if message is None]
        root = opening[0] if opening else root_message_id(ticket.pk)
        chain = sorted(
            [(at, mid) for mid, at, _ in inbound] + [(at, mid) for mid, at in earlier],
            key=lambda item: item[0],
        )
        references = list(dict.fromkeys([root, *(mid for _, mid in chain)]))
        references = [references[0], *references[1:][-(MAX_REFERENCES - 1) :]]
        replies = min(len(chain), 30)
        return {
            "In-Reply-To": f"<{references[-1]}>",
            "References": " ".join(f"<{mid}>" for mid in references),
            "Thread-Index": thread_index(ticket.pk, ticket.received_at, row.created_at, replies),
            "Thread-Topic": ticket.subject[:200],
        }

    def reply_address(self, row: OutboundEmail) -> str:
        """Where answers should go: the mailbox the request came through, else the first one."""
        if row.ticket_id is not None:
            address = (
                InboundEmail.objects.filter(ticket_id=row.ticket_id, mailbox__is_fax_gateway=False)
                .order_by("id")
                .values_list("mailbox__address", flat=True)
                .first()
            )
            if address:
                return address
        first = (
            Mailbox.objects.filter(is_active=True, is_fax_gateway=False)
            .order_by("id")
            .values_list("address", flat=True)
            .first()
        )
        return first or ""
