"""Outgoing email: a stored row first, delivered over SMTP by the worker, retried on failure.

`queue()` writes the row inside the caller's transaction (a rolled-back change sends nothing)
and asks the worker to deliver it once that transaction commits. The email is rendered at the
first delivery attempt from its templates (subject, text, HTML; French or English) and kept,
so retries send the same bytes under the same Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation

from soutien.accounts.models import User
from soutien.mail import keys
from soutien.mail.models import InboundEmail, OutboundEmail

logger = logging.getLogger(__name__)

AUTO_REPLIED = "auto-replied"
AUTO_GENERATED = "auto-generated"
# Minutes to wait after each failed attempt; after the last, the email is marked failed.
RETRY_MINUTES = (1, 5, 15, 60, 180)
# A "sending" row older than this belongs to a worker that died mid-send: try again.
STALE_SENDING = timedelta(minutes=15)
RATE_WINDOW = timedelta(hours=1)
MAX_REFERENCES = 20


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def queue(
    *,
    template: str,
    to_address: str,
    language: str,
    recipient: User | None = None,
    ticket_id: int | None = None,
    reply_id: int | None = None,
    answers: InboundEmail | None = None,
    context: dict[str, Any] | None = None,
    auto_submitted: str = "",
) -> OutboundEmail | None:
    """Store one email to send (in the caller's transaction); None if there is no address."""
    to_address = to_address.strip()
    if not to_address or not _valid(to_address):
        return None
    row = OutboundEmail(
        template=template,
        language=language if language in ("fr", "en") else settings.LANGUAGE_CODE,
        to_address=to_address,
        recipient=recipient,
        ticket_id=ticket_id,
        reply_id=reply_id,
        answers=answers,
        context=context or {},
        auto_submitted=auto_submitted,
        message_id=keys.new_message_id(ticket_id),
    )
    # A loop breaker for automatic answers: some robots ignore every header.
    limit = settings.SOUTIEN_MAIL_AUTO_REPLIES_PER_HOUR
    if auto_submitted == AUTO_REPLIED and _recent_answers(to_address, limit) >= limit:
        row.status = OutboundEmail.Status.SUPPRESSED
        row.last_error = "rate limit: too many automatic answers to this address this hour"
    row.save(force_insert=True)
    if auto_submitted == AUTO_REPLIED and row.status == OutboundEmail.Status.QUEUED:
        counted = _counted.get()
        if counted is not None:
            counted[to_address.lower()] += 1
    if row.status == OutboundEmail.Status.QUEUED:
        pk = row.pk
        transaction.on_commit(lambda: _enqueue(pk))
    return row


# While a batch is open (`batched()`), emails to deliver are gathered for one task, and the
# automatic answers to each address counted once.
_gathered: ContextVar[list[int] | None] = ContextVar("soutien_mail_gathered", default=None)
_counted: ContextVar[defaultdict[str, int] | None] = ContextVar(
    "soutien_mail_counted", default=None
)


def _recent_answers(address: str, limit: int) -> int:
    """Automatic answers sent or queued to this address in the last hour, counted up to `limit`.

    Counting stops at the limit: a busy address would otherwise cost a count of every answer
    it got this hour (3 ms for a few thousand) on each new request.
    """
    counted = _counted.get()
    key = address.lower()
    if counted is not None and key in counted:
        return counted[key]
    found = (
        OutboundEmail.objects.annotate(address=Lower("to_address"))
        .filter(
            address=key,
            auto_submitted=AUTO_REPLIED,
            created_at__gte=timezone.now() - RATE_WINDOW,
        )
        .exclude(status=OutboundEmail.Status.SUPPRESSED)
        .values("pk")[:limit]
        .count()
    )
    if counted is not None:
        counted[key] = found
    return found


def _enqueue(pk: int) -> None:
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(pk)
        return
    from soutien.mail.tasks import deliver_email

    try:
        deliver_email.enqueue(pk)
    except Exception:
        # The periodic job delivers whatever is still queued.
        logger.exception("could not queue the delivery of email %s", pk)


@contextmanager
def batched() -> Iterator[None]:
    """Deliver the emails queued (and committed) inside the block with one task, at its end.

    The mail intake files hundreds of requests in a row: one task for their acknowledgements
    instead of one each. If the process dies first, the periodic job delivers them.
    """
    token = _gathered.set([])
    counted = _counted.set(defaultdict(int))
    try:
        yield
    finally:
        pks = _gathered.get() or []
        _gathered.reset(token)
        _counted.reset(counted)
        if pks:
            from soutien.mail.tasks import deliver_emails

            try:
                deliver_emails.enqueue(pks)
            except Exception:
                logger.exception("could not queue the delivery of %d emails", len(pks))


def _thread(row: OutboundEmail) -> dict[str, str]:
    """In-Reply-To, References and Outlook's Thread-Index, so every client groups the emails."""
    if row.ticket_id is None:
        if row.answers is not None:
            answered = f"<{row.answers.message_id}>"
            return {"In-Reply-To": answered, "References": answered}
        return {}
    ticket = row.ticket
    assert ticket is not None
    inbound = list(
        InboundEmail.objects.filter(ticket_id=ticket.pk, created_at__lte=row.created_at)
        .exclude(status=InboundEmail.Status.QUARANTINED)
        .order_by("id")
        .values_list("message_id", "created_at", "client_message_id")
    )
    earlier = list(
        OutboundEmail.objects.filter(ticket_id=ticket.pk, id__lt=row.pk, to_address=row.to_address)
        .exclude(status=OutboundEmail.Status.SUPPRESSED)
        .order_by("id")
        .values_list("message_id", "created_at")
    )
    opening = [mid for mid, _, message in inbound if message is None]
    root = opening[0] if opening else keys.root_message_id(ticket.pk)
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
        "Thread-Index": keys.thread_index(ticket.pk, ticket.received_at, row.created_at, replies),
        "Thread-Topic": ticket.subject[:200],
    }


def reply_address(row: OutboundEmail) -> str:
    """Where answers should go: the mailbox the request came through, else the first one."""
    from soutien.mail.models import Mailbox

    if row.ticket_id is not None:
        address = (
            InboundEmail.objects.filter(ticket_id=row.ticket_id, mailbox__is_fax_gateway=False)
            .order_by("id")
            .values_list("mailbox__address", flat=True)
            .first()
        )
        if address:
            return address
    if row.answers is not None and row.answers.mailbox is not None:
        return row.answers.mailbox.address
    first = (
        Mailbox.objects.filter(is_active=True, is_fax_gateway=False)
        .order_by("id")
        .values_list("address", flat=True)
        .first()
    )
    return first or ""


def render(row: OutboundEmail) -> None:
    """Fill the row's subject, text, HTML and headers from its templates, in its language."""
    from soutien.mail.catalog import context_for

    zone = row.recipient.time_zone if row.recipient is not None else settings.TIME_ZONE
    with translation.override(row.language), timezone.override(zone):
        context = context_for(row)
        base = f"mail/emails/{row.template}/{row.language}"
        subject = render_to_string(f"{base}.subject.txt", context)
        row.subject = " ".join(subject.split())[:900]
        row.text = render_to_string(f"{base}.txt", context).strip() + "\n"
        row.html = render_to_string(f"{base}.html", context)
    headers = {"Message-ID": f"<{row.message_id}>", **_thread(row)}
    if row.auto_submitted:
        headers["Auto-Submitted"] = row.auto_submitted
        # Exchange and Outlook: no out-of-office or read receipt in answer to this.
        headers["X-Auto-Response-Suppress"] = "All"
    answer_to = reply_address(row)
    if answer_to:
        headers["Reply-To"] = answer_to
        headers["X-Loop"] = answer_to
    row.headers = headers


def _attachments(row: OutboundEmail) -> list[tuple[str, bytes, str]]:
    if row.reply_id is None:
        return []
    files = []
    total = 0
    for attachment in row.reply.attachments.order_by("id") if row.reply else []:
        total += attachment.size
        if total > settings.SOUTIEN_MAX_ATTACHMENT_BYTES:
            break
        with attachment.file.open("rb") as handle:
            files.append((attachment.name, handle.read(), attachment.content_type))
    return files


def build(row: OutboundEmail) -> EmailMultiAlternatives:
    headers = dict(row.headers)
    reply_to = headers.pop("Reply-To", "")
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(row.html, "text/html")
    for name, data, content_type in _attachments(row):
        message.attach(name, data, content_type)
    return message


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


def send_again(*, email: OutboundEmail) -> OutboundEmail:
    """Put a failed email back in line (after the address or the server was fixed)."""
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    pk = email.pk
    transaction.on_commit(lambda: _enqueue(pk))
    email.refresh_from_db()
    return email
