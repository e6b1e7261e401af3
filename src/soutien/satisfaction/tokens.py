"""The signed rating links of the resolution email: they work without signing in, for 7 days."""

from __future__ import annotations

from django.core import signing

from soutien.notifications.satisfaction import SALT, rating_token

__all__ = ["rating_token", "ticket_of"]

MAX_AGE_SECONDS = 7 * 24 * 3600


def ticket_of(token: str) -> int | None:
    """The request a link is for, or None if it is forged or older than 7 days."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    ticket_id = data.get("t") if isinstance(data, dict) else None
    return ticket_id if isinstance(ticket_id, int) else None
