"""Our Message-IDs: signed so that a forged reference cannot thread into someone else's request.

<soutien.{thread}.{nonce}.{signature}@{domain}>, where the thread is a request's id (0: none).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from django.conf import settings

from soutien.core.keys import derive, secrets_in_use

OUR_ID = re.compile(r"^soutien\.(\d{1,19})\.([0-9a-z]{8,32})\.([0-9a-f]{24})@", re.ASCII)
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def _signature(secret: str, thread: int, nonce: str) -> str:
    key = derive(secret, b"message-id")
    return hmac.new(key, f"{thread}.{nonce}".encode(), hashlib.sha256).hexdigest()[:24]


def message_id_domain() -> str:
    """The domain of our Message-IDs: that of the sending address."""
    address = str(settings.DEFAULT_FROM_EMAIL).rsplit("<", 1)[-1].rstrip(">")
    domain = address.rpartition("@")[2].strip().lower()
    return domain or "soutien.invalid"


def new_message_id(thread: int | None, nonce: str | None = None) -> str:
    """A Message-ID (without angle brackets) that says, under a signature, which request it is."""
    thread = thread or 0
    nonce = nonce or secrets.token_hex(8)
    return f"soutien.{thread}.{nonce}.{_signature(settings.SECRET_KEY, thread, nonce)}@" + (
        message_id_domain()
    )


def root_message_id(thread: int) -> str:
    """The stable id every email about a request refers to, so mail clients group them."""
    return new_message_id(thread, nonce=f"root{thread:x}"[:32])


def verify_message_id(value: str) -> int | None:
    """The request a Message-ID of ours names (0 for none), or None if it is not ours or forged."""
    match = OUR_ID.match(value.strip().strip("<>"))
    if match is None:
        return None
    thread, nonce, signature = int(match[1]), match[2], match[3]
    for secret in secrets_in_use():
        if hmac.compare_digest(_signature(secret, thread, nonce), signature):
            return thread
    return None


def thread_index(thread: int, started: datetime, at: datetime, replies: int) -> str:
    """Outlook's Thread-Index: the conversation's start and id, then one block per reply.

    22 bytes (the 6 high bytes of the start's FILETIME, a 16-byte conversation id derived from
    the request) then 5 bytes per earlier message, each carrying the time elapsed since.
    """
    filetime = int((started - FILETIME_EPOCH).total_seconds() * 10_000_000)
    guid = hmac.new(
        derive(settings.SECRET_KEY, b"thread-index"), str(thread).encode(), hashlib.sha256
    ).digest()[:16]
    blob = (filetime >> 16).to_bytes(6, "big") + guid
    delta = max(0, int((at - started).total_seconds() * 10_000_000))
    for n in range(1, replies + 1):
        step = delta * n // max(replies, 1)
        # Units of 2^18 * 100 ns for up to ~1.8 years, of 2^23 * 100 ns (flag bit set) beyond.
        value = (step >> 18) & 0x7FFFFFFF if step < (1 << 49) else (1 << 31) | (step >> 23)
        blob += value.to_bytes(4, "big") + bytes([((guid[n % 16] & 0xF0) | (n & 0x0F))])
    return base64.b64encode(blob).decode()
