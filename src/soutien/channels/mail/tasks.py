"""Mail intake jobs: poll each mailbox in its turn, and process a stored email again."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from soutien.channels.mail import ingest, intake
from soutien.channels.mail.models import Mailbox
from soutien.core.scheduling import every

# A poll that started this long ago without finishing died with its worker.
POLL_PRESUMED_DEAD = timedelta(minutes=10)


@every(minutes=1)
@task()
def poll_mailboxes() -> list[int]:
    """Queue a poll of each active mailbox whose interval has passed and that no one is polling."""
    now = timezone.now()
    queued = []
    for mailbox in Mailbox.objects.filter(is_active=True):
        last = mailbox.last_poll_at
        if last is not None and now - last < timedelta(minutes=mailbox.poll_every_minutes) - (
            timedelta(seconds=10)
        ):
            continue
        started = mailbox.poll_started_at
        running = started is not None and (last is None or started > last)
        if running and started is not None and now - started < POLL_PRESUMED_DEAD:
            continue
        # Claim the turn so a second dispatcher (a slow worker) does not queue it twice.
        claimed = (
            Mailbox.objects.filter(pk=mailbox.pk)
            .filter(Q(poll_started_at=started) if started else Q(poll_started_at__isnull=True))
            .update(poll_started_at=now)
        )
        if claimed:
            poll_mailbox.enqueue(mailbox.pk)
            queued.append(mailbox.pk)
    return queued


@task()
def poll_mailbox(mailbox_id: int) -> dict[str, object]:
    """Fetch, store and process one mailbox's new messages."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return {}
    report = intake.poll(mailbox=mailbox)
    return {
        "listed": report.listed,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "processed": report.processed,
        "error": report.error,
    }


@task()
def process_email(email_id: int) -> str:
    """Process one stored email (after a retry from the quarantine)."""
    return ingest.process(email_id=email_id)
