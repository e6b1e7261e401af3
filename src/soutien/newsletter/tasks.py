"""Newsletter jobs started on demand: send an issue (one chain of batches per sender), a test."""

from __future__ import annotations

import logging

from django_tasks import task

from soutien.newsletter import sending

logger = logging.getLogger(__name__)


@task()
def send_issue(issue_id: int) -> dict[str, object]:
    """Send the issue's batches for a while, then hand over to a fresh task if any are left."""
    run = sending.send_for_a_while(issue_id=issue_id)
    if run.more:
        send_later(issue_id, senders=1)
    return {"batches": run.batches, "sent": run.sent, "problem": run.problem}


@task()
def send_test(issue_id: int, address: str) -> int:
    for language in ("fr", "en"):
        sending.send_test(issue_id=issue_id, address=address, language=language)
    return 2


def send_later(issue_id: int, *, senders: int) -> None:
    """Queue `senders` sending tasks (each a worker's share of the batches)."""
    for _ in range(max(senders, 1)):
        try:
            send_issue.enqueue(issue_id)
        except Exception:
            # The periodic job resumes an issue nobody is sending.
            logger.exception("could not queue the sending of issue %s", issue_id)


def send_test_later(issue_id: int, address: str) -> None:
    send_test.enqueue(issue_id, address)
