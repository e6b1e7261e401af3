"""Getting-in jobs: a password reset looked up and sent by the worker, so that the answer to
whoever asked takes the same time whether or not the address is known."""

from __future__ import annotations

import logging

from django_tasks import task

from soutien.people import services

logger = logging.getLogger(__name__)


@task()
def password_reset(email: str) -> None:
    services.password_reset_request(email=email)


def password_reset_later(*, email: str) -> None:
    """Queue the reset; if the queue is out of reach, do it now (slower, but not lost)."""
    try:
        password_reset.enqueue(email)
    except Exception:
        logger.exception("could not queue a password reset; sending it now")
        services.password_reset_request(email=email)
