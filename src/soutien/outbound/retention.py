"""What expires among the outbox's records: sent emails (their addresses, subjects and text)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from soutien.core import retention
from soutien.outbound.models import OutboundAttachment, OutboundEmail

FINISHED = (OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED, OutboundEmail.Status.SUPPRESSED)
BATCH = 500


def _old(before: datetime, action: str) -> QuerySet[OutboundEmail]:
    # Emails still queued or being sent are never touched; an anonymized one has no address.
    rows = OutboundEmail.objects.filter(status__in=FINISHED, created_at__lt=before)
    return rows.exclude(to_address="") if action == retention.ANONYMIZE else rows


def _apply(before: datetime, action: str) -> int:
    def act(ids: list[int]) -> None:
        OutboundAttachment.objects.filter(email_id__in=ids).delete()
        if action == retention.DELETE:
            OutboundEmail.objects.filter(pk__in=ids).delete()
        else:
            # The Message-ID stays: answers to an old email still find their thread.
            OutboundEmail.objects.filter(pk__in=ids).update(
                to_address="",
                recipient=None,
                reply_to="",
                subject="",
                text="",
                html="",
                headers={},
                context={},
                last_error="",
            )

    return retention.in_batches(lambda: _old(before, action), act, size=BATCH)


def register() -> None:
    retention.register(
        retention.Purger(
            kind="sent_emails",
            label=_("Sent emails"),
            description=_(
                "Emails Soutien sent: recipient, subject, text and files. Anonymizing keeps "
                "only the date, the kind and the status."
            ),
            count=lambda before, action: _old(before, action).count(),
            apply=_apply,
            actions=(retention.DELETE, retention.ANONYMIZE),
            owner="outbound",
        )
    )
