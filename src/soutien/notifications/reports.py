"""The monthly report email, its PDF attached."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_date

from soutien.accounts.models import User
from soutien.outbound.kinds import EmailKind, register
from soutien.outbound.models import OutboundEmail
from soutien.outbound.outbox import AUTO_GENERATED, queue

KIND = "monthly_report"


def monthly_report(
    *, recipient: User, month: date, pdf: bytes, whole_desk: bool
) -> OutboundEmail | None:
    """Last month's report to a manager (the whole desk) or a client administrator (its own)."""
    name = (
        f"rapport-{month:%Y-%m}.pdf" if recipient.language == "fr" else f"report-{month:%Y-%m}.pdf"
    )
    return queue(
        template=KIND,
        to_address=recipient.email,
        language=recipient.language,
        recipient=recipient,
        context={"month": month.isoformat(), "whole_desk": whole_desk},
        auto_submitted=AUTO_GENERATED,
        files=[(name, pdf, "application/pdf")],
    )


def _context(row: OutboundEmail) -> dict[str, Any]:
    return {
        "month": parse_date(str(row.context.get("month", ""))),
        "whole_desk": bool(row.context.get("whole_desk")),
        "url": settings.SITE_URL,
    }


register(EmailKind(KIND, f"notifications/emails/{KIND}", _context))
