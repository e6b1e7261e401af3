"""What files a request accepts, and how their names are made safe: for web, API and email."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

# Programs and scripts a click would run on Windows: never kept, whatever channel brings them.
BLOCKED_EXTENSIONS = frozenset(
    [
        ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".msp", ".ps1", ".vbs",
        ".vbe", ".jse", ".wsf", ".wsh", ".hta", ".cpl", ".jar", ".lnk", ".reg",
    ]
)  # fmt: skip


def safe_filename(name: str) -> str:
    """A file name fit to show and to offer as a download: no path, no control characters."""
    name = unicodedata.normalize("NFC", PurePath(name.replace("\\", "/")).name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/|?*]', "_", name).strip(" .")
    if not name:
        name = "fichier"
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:190] + dot + suffix[:9]) if dot and len(suffix) < 10 else name[:200]
    return name


def refusal(name: str, size: int) -> str | None:
    """Why a file cannot be kept (in the active language), or None if it can be.

    `name` is the safe name (`safe_filename`).
    """
    limit = settings.SOUTIEN_MAX_ATTACHMENT_BYTES
    if size > limit:
        return _("%(name)s is larger than the %(limit)s MB allowed.") % {
            "name": name,
            "limit": limit // (1024 * 1024),
        }
    suffix = PurePath(name).suffix
    if suffix.lower() in BLOCKED_EXTENSIONS:
        return _("%(name)s: files of this type (%(suffix)s) are not accepted.") % {
            "name": name,
            "suffix": suffix,
        }
    return None
