"""What expires among the mail channel's records: received emails as they arrived (raw bytes)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from soutien.channels.mail.models import InboundEmail
from soutien.core import retention

BATCH = 200


def _old(before: datetime, action: str) -> QuerySet[InboundEmail]:
    # An email not yet processed is never touched; an anonymized one has a size of 0.
    rows = InboundEmail.objects.filter(arrived_at__lt=before).exclude(
        status=InboundEmail.Status.RECEIVED
    )
    return rows.filter(size__gt=0) if action == retention.ANONYMIZE else rows


def _apply(before: datetime, action: str) -> int:
    def act(ids: list[int]) -> None:
        if action == retention.DELETE:
            InboundEmail.objects.filter(pk__in=ids).delete()
        else:
            # The key and the Message-ID stay, so the same email is never imported twice.
            InboundEmail.objects.filter(pk__in=ids).update(
                raw=b"",
                size=0,
                from_address="",
                subject="",
                text="",
                html="",
                content_ids={},
                reason="",
            )

    return retention.in_batches(lambda: _old(before, action), act, size=BATCH)


def register() -> None:
    retention.register(
        retention.Purger(
            kind="raw_emails",
            label=_("Received emails (raw)"),
            description=_(
                "Each email as it arrived: headers, text, HTML. Anonymizing keeps only its "
                "Message-ID, so it is never imported twice; the request and its messages stay."
            ),
            count=lambda before, action: _old(before, action).count(),
            apply=_apply,
            actions=(retention.ANONYMIZE, retention.DELETE),
            owner="channels.mail",
        )
    )
