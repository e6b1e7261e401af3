"""Signed links: a reader's unsubscribe and preferences link, and the double opt-in link.

Signed with SECRET_KEY (and its fallbacks while it is rotated), each purpose with its own salt:
a confirmation link cannot serve as an unsubscribe link, nor the reverse. Nothing is stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

# CASL asks for at least 60 days; the issue asks for at least a year.
READER_LINK_LIFE = timedelta(days=730)
CONFIRMATION_LINK_LIFE = timedelta(days=30)
_READER = "soutien.newsletter.reader"
_CONFIRMATION = "soutien.newsletter.confirmation"


def reader_token(subscriber_id: int) -> str:
    """The token of a reader's unsubscribe and preferences links."""
    return signing.TimestampSigner(salt=_READER).sign(str(subscriber_id))


def reader_from(token: str) -> int | None:
    """The subscriber a reader token names, or None if it is forged, damaged or too old."""
    return _read(token, _READER, READER_LINK_LIFE)


def confirmation_token(event_id: int) -> str:
    """The token of the link that confirms a subscription (the consent event awaiting it)."""
    return signing.TimestampSigner(salt=_CONFIRMATION).sign(str(event_id))


def confirmation_from(token: str) -> int | None:
    return _read(token, _CONFIRMATION, CONFIRMATION_LINK_LIFE)


def _read(token: str, salt: str, life: timedelta) -> int | None:
    if not token or len(token) > 200:
        return None
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=life)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
