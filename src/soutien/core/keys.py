"""Keys derived from SECRET_KEY (and its fallbacks, while it is rotated) for each purpose."""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# The salt every derived key has used since the first release: changing it would make stored
# mailbox passwords unreadable and our earlier Message-IDs unverifiable.
SALT = b"soutien.mail"


def secrets_in_use() -> list[str]:
    """The current key first, then the fallbacks, so a rotated key still opens older values."""
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


@functools.lru_cache(maxsize=32)
def derive(secret: str, purpose: bytes) -> bytes:
    """32 bytes for one purpose: knowing one purpose's key tells nothing of another's."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=purpose)
    return hkdf.derive(secret.encode())


def _fernet(purpose: bytes) -> MultiFernet:
    keys = [base64.urlsafe_b64encode(derive(s, purpose)) for s in secrets_in_use()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(text: str, *, purpose: bytes) -> str:
    return _fernet(purpose).encrypt(text.encode()).decode()


def decrypt(token: str, *, purpose: bytes) -> str | None:
    """The text, or None when no current or fallback key opens it (SECRET_KEY changed)."""
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
