"""The files of a reply held by the collision guard ("X replied 2 min ago — send anyway"),
kept aside so that sending it anyway sends them too: a browser cannot give a file back to a
form, and the writer should not have to attach it again.

The files are stored under `held-replies/` with random names; the form carries a signed token
that names them for one writer and one request, valid for a day. They are removed once the
reply is sent; a periodic job removes those of replies never sent.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import IO, cast

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from soutien.accounts.models import User
from soutien.ticketing.models import Ticket
from soutien.ticketing.services import Upload

FOLDER = "held-replies"
KEEP = timedelta(days=1)
SALT = "soutien.ticketing.held-reply"


@dataclass(frozen=True)
class HeldFile:
    path: str
    name: str
    content_type: str
    size: int


def hold(
    *, actor: User, ticket: Ticket, uploads: Sequence[Upload], kept: Sequence[HeldFile] = ()
) -> tuple[str, list[HeldFile]]:
    """Store these uploads beside those already `kept`; the token naming them all, and them."""
    files = list(kept)
    folder = f"{FOLDER}/{secrets.token_hex(16)}"
    for upload in uploads:
        suffix = PurePosixPath(upload.name).suffix.lower()[:10]
        path = default_storage.save(
            f"{folder}/{secrets.token_hex(8)}{suffix}", File(cast(IO[bytes], upload.content))
        )
        files.append(HeldFile(path, upload.name, upload.content_type, upload.size))
    if not files:
        return "", []
    payload = {
        "u": actor.pk,
        "t": ticket.pk,
        "f": [[f.path, f.name, f.content_type, f.size] for f in files],
    }
    return signing.dumps(payload, salt=SALT, compress=True), files


def held(token: str, *, actor: User, ticket: Ticket) -> list[HeldFile] | None:
    """The files a token names, if it is this writer's on this request and still there; None
    if it is not (forged, someone else's, too old, or its files already gone)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=KEEP)
    except signing.BadSignature:
        return None
    if payload.get("u") != actor.pk or payload.get("t") != ticket.pk:
        return None
    files = [HeldFile(str(p), str(n), str(c), int(s)) for p, n, c, s in payload.get("f", [])]
    if not all(f.path.startswith(f"{FOLDER}/") and default_storage.exists(f.path) for f in files):
        return None
    return files


def uploads(files: Sequence[HeldFile]) -> list[Upload]:
    """The held files, opened, to be attached to the reply (closed by `release`)."""
    return [
        Upload(name=f.name, content=default_storage.open(f.path, "rb"), size=f.size,
               content_type=f.content_type)
        for f in files
    ]  # fmt: skip


def release(files: Sequence[HeldFile], opened: Sequence[Upload] = ()) -> None:
    """Close and remove the held files (the reply was sent with them)."""
    for upload in opened:
        close = getattr(upload.content, "close", None)
        if close is not None:
            close()
    for f in files:
        default_storage.delete(f.path)


def purge(*, now: datetime | None = None) -> int:
    """Remove the held files of replies not sent within a day; how many."""
    limit = (now or timezone.now()) - KEEP
    removed = 0
    try:
        folders, _files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    for folder in folders:
        _dirs, names = default_storage.listdir(f"{FOLDER}/{folder}")
        for name in names:
            path = f"{FOLDER}/{folder}/{name}"
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
                removed += 1
    return removed
