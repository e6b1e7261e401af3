"""Mailbox passwords at rest, encrypted with a key derived from SECRET_KEY."""

from __future__ import annotations

from soutien.core import keys

PURPOSE = b"mailbox-password"


def encrypt_password(password: str) -> str:
    return keys.encrypt(password, purpose=PURPOSE)


def decrypt_password(token: str) -> str | None:
    """The password, or None when no current or fallback key opens it (SECRET_KEY changed)."""
    return keys.decrypt(token, purpose=PURPOSE)
