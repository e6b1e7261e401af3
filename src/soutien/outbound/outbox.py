"""Put an email in the outbox: a row stored in the caller's transaction, delivered after commit.

`queue()` writes the row inside the caller's transaction (a rolled-back change sends nothing)
and asks the worker to deliver it once that transaction commits. The email is rendered at the
first delivery attempt from its kind's templates and kept, so retries send the same bytes
under the same Message-ID.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from soutien.accounts.models import User
from soutien.outbound import tasks
from soutien.outbound.kinds import Attached
from soutien.outbound.message_ids import new_message_id
from soutien.outbound.models import OutboundAttachment, OutboundEmail

logger = logging.getLogger(__name__)

AUTO_REPLIED = "auto-replied"
AUTO_GENERATED = "auto-generated"
RATE_WINDOW = timedelta(hours=1)


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
    in_reply_to: str = "",
    reply_to: str = "",
    context: dict[str, Any] | None = None,
    auto_submitted: str = "",
    files: Sequence[Attached] = (),
) -> OutboundEmail | None:
    """Store one email to send (in the caller's transaction); None if there is no address.

    `files`: (name, bytes, content type) made for this email, kept with it and attached.
    """
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
        in_reply_to=in_reply_to[:255],
        reply_to=reply_to[:254],
        context=context or {},
        auto_submitted=auto_submitted,
        message_id=new_message_id(ticket_id),
    )
    # A loop breaker for automatic answers: some robots ignore every header.
    limit = settings.SOUTIEN_MAIL_AUTO_REPLIES_PER_HOUR
    if auto_submitted == AUTO_REPLIED and _recent_answers(to_address, limit) >= limit:
        row.status = OutboundEmail.Status.SUPPRESSED
        row.last_error = "rate limit: too many automatic answers to this address this hour"
    row.save(force_insert=True)
    if files:
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(email=row, name=name[:200], content_type=kind, data=data)
            for name, data, kind in files
        )
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
_gathered: ContextVar[list[int] | None] = ContextVar("soutien_outbox_gathered", default=None)
_counted: ContextVar[defaultdict[str, int] | None] = ContextVar(
    "soutien_outbox_counted", default=None
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
    try:
        tasks.deliver_email.enqueue(pk)
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
            try:
                tasks.deliver_emails.enqueue(pks)
            except Exception:
                logger.exception("could not queue the delivery of %d emails", len(pks))


def send_again(*, email: OutboundEmail) -> OutboundEmail:
    """Put a failed email back in line (after the address or the server was fixed)."""
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    pk = email.pk
    transaction.on_commit(lambda: _enqueue(pk))
    email.refresh_from_db()
    return email
