"""Deliver stored emails over SMTP: claimed once, retried on failure, never sent twice at once."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from soutien.outbound.models import OutboundEmail
from soutien.outbound.rendering import build, render

logger = logging.getLogger(__name__)

# Minutes to wait after each failed attempt; after the last, the email is marked failed.
RETRY_MINUTES = (1, 5, 15, 60, 180)
# A "sending" row older than this belongs to a worker that died mid-send: try again.
STALE_SENDING = timedelta(minutes=15)


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPServerDisconnected)
    return False


def _claim(email_id: int) -> OutboundEmail | None:
    now = timezone.now()
    with transaction.atomic():
        row = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, next_attempt_at__lte=now)
            .filter(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING])
            .first()
        )
        if row is None:
            return None
        if (
            row.status == OutboundEmail.Status.SENDING
            and row.claimed_at
            and (row.claimed_at > now - STALE_SENDING)
        ):
            return None
        row.status = OutboundEmail.Status.SENDING
        row.claimed_at = now
        row.attempts += 1
        row.save(update_fields=["status", "claimed_at", "attempts"])
    return row


def deliver(*, email_id: int) -> str:
    """Send one stored email if it is due; returns its status. Safe to run twice."""
    row = _claim(email_id)
    if row is None:
        status = OutboundEmail.objects.filter(pk=email_id).values_list("status", flat=True).first()
        return str(status or "missing")
    try:
        if not row.subject:
            render(row)
            OutboundEmail.objects.filter(pk=row.pk).update(
                subject=row.subject, text=row.text, html=row.html, headers=row.headers
            )
        message = build(row)
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except Exception as exc:
        return _failed(row, exc)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return OutboundEmail.Status.SENT


def _failed(row: OutboundEmail, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    permanent = _permanent(exc) or row.attempts > len(RETRY_MINUTES)
    if not isinstance(exc, OSError | smtplib.SMTPException):
        logger.exception("email %s could not be prepared", row.pk)
        permanent = permanent or row.attempts >= 2
    if permanent:
        status = OutboundEmail.Status.FAILED
        next_at = timezone.now()
    else:
        status = OutboundEmail.Status.QUEUED
        delay = RETRY_MINUTES[min(row.attempts, len(RETRY_MINUTES)) - 1]
        next_at = timezone.now() + timedelta(minutes=delay)
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=status, last_error=error, next_attempt_at=next_at
    )
    logger.warning("email %s not sent (attempt %d): %s", row.pk, row.attempts, error)
    return status


def deliver_due(*, limit: int = 200) -> int:
    """Deliver what is due: new emails whose task was lost, retries, and stale sends."""
    now = timezone.now()
    due = list(
        OutboundEmail.objects.filter(
            status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if deliver(email_id=pk) == OutboundEmail.Status.SENT)
