"""Delivery jobs: one email, a batch, and whatever is due (retries, lost tasks, stale sends)."""

from __future__ import annotations

from django_tasks import task

from soutien.core.scheduling import every
from soutien.outbound import delivery


@task()
def deliver_email(email_id: int) -> str:
    return delivery.deliver(email_id=email_id)


@task()
def deliver_emails(email_ids: list[int]) -> int:
    """Several emails at once (what the mail intake queued while filing requests)."""
    return sum(1 for pk in email_ids if delivery.deliver(email_id=pk) == "sent")


@every(minutes=1)
@task()
def deliver_due_emails() -> int:
    """Retries, stale sends and any email whose delivery task was lost."""
    return delivery.deliver_due()
