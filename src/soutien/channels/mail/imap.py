"""An IMAP session on one mailbox folder, by UID: list, fetch, then flag, move or delete."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from soutien.channels.mail.keys import decrypt_password
from soutien.channels.mail.models import Mailbox
from soutien.config.env import env

logger = logging.getLogger(__name__)

SEEN = b"\\Seen"
KEYWORD = b"$Soutien"
TIMEOUT = 60.0


class MailboxError(Exception):
    """The mailbox cannot be reached or used; the poll records it and the console shows it."""


@dataclass(frozen=True)
class Listed:
    uid: int
    size: int


@dataclass(frozen=True)
class Fetched:
    raw: bytes
    arrived_at: datetime | None


def mailbox_password(mailbox: Mailbox) -> str:
    if mailbox.password_env:
        value = env(mailbox.password_env)
        if not value:
            raise MailboxError(f"the environment variable {mailbox.password_env} is not set")
        return value
    if not mailbox.password_encrypted:
        raise MailboxError("no password is configured")
    password = decrypt_password(mailbox.password_encrypted)
    if password is None:
        raise MailboxError(
            "the stored password cannot be read (SECRET_KEY changed): enter it again"
        )
    return password


def _aware(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ImapSession:
    """Connects, signs in and selects the folder on enter; logs out on exit."""

    def __init__(self, mailbox: Mailbox, *, timeout: float = TIMEOUT) -> None:
        self.mailbox = mailbox
        self.timeout = timeout
        self.client: IMAPClient | None = None
        self.uidvalidity = 0
        self.custom_keywords = False

    def __enter__(self) -> ImapSession:
        box = self.mailbox
        context = ssl.create_default_context()
        try:
            client = IMAPClient(
                box.host,
                port=box.port,
                ssl=box.security == Mailbox.Security.SSL,
                ssl_context=context,
                timeout=self.timeout,
            )
        except (OSError, IMAPClientError) as exc:
            raise MailboxError(f"cannot connect to {box.host}:{box.port}: {exc}") from exc
        self.client = client
        try:
            client.normalise_times = False
            if box.security == Mailbox.Security.STARTTLS:
                client.starttls(context)
            client.login(box.username, mailbox_password(box))
            selected = client.select_folder(box.folder)
        except MailboxError:
            self._close()
            raise
        except (OSError, IMAPClientError) as exc:
            self._close()
            raise MailboxError(f"{box.host}: {exc}") from exc
        self.uidvalidity = int(selected[b"UIDVALIDITY"])
        self.custom_keywords = b"\\*" in selected.get(b"PERMANENTFLAGS", ())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except Exception:
            logger.debug("IMAP logout failed", exc_info=True)
            try:
                self.client.shutdown()
            except Exception:
                logger.debug("IMAP shutdown failed", exc_info=True)
        self.client = None

    @property
    def imap(self) -> IMAPClient:
        assert self.client is not None, "use the session as a context manager"
        return self.client

    def list_after(self, uid: int, limit: int = 2000) -> list[Listed]:
        """Up to `limit` messages whose UID is above `uid`, with their sizes, in UID order."""
        # "n:*" always includes the highest UID, even below n: hence the filter.
        found = sorted(int(u) for u in self.imap.search(["UID", f"{uid + 1}:*"]) if int(u) > uid)
        listed = []
        for start in range(0, min(len(found), limit), 500):
            chunk = found[start : min(start + 500, limit)]
            response = self.imap.fetch(chunk, ["RFC822.SIZE"])
            listed += [
                Listed(uid=u, size=int(response.get(u, {}).get(b"RFC822.SIZE", 0)))
                for u in chunk
                if u in response
            ]
        return listed

    def fetch(self, uids: Iterable[int]) -> dict[int, Fetched]:
        """Whole messages (without setting \\Seen); a UID missing from the answer is gone."""
        uids = list(uids)
        if not uids:
            return {}
        response = self.imap.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
        result = {}
        for uid, data in response.items():
            body = data.get(b"BODY[]")
            if isinstance(body, bytes):
                result[int(uid)] = Fetched(raw=body, arrived_at=_aware(data.get(b"INTERNALDATE")))
        return result

    def fetch_header(self, uid: int) -> Fetched | None:
        response = self.imap.fetch([uid], ["BODY.PEEK[HEADER]", "INTERNALDATE"])
        data = response.get(uid)
        if not data or not isinstance(data.get(b"BODY[HEADER]"), bytes):
            return None
        return Fetched(raw=data[b"BODY[HEADER]"], arrived_at=_aware(data.get(b"INTERNALDATE")))

    def _ensure_folder(self, folder: str) -> None:
        if not self.imap.folder_exists(folder):
            self.imap.create_folder(folder)

    def done(self, uids: list[int], action: str, move_to: str = "") -> None:
        """Flag, move or delete messages that are safely stored; doing it twice is harmless."""
        if not uids:
            return
        imap = self.imap
        if action == Mailbox.AfterImport.MOVE:
            self._ensure_folder(move_to)
            if imap.has_capability("MOVE"):
                imap.move(uids, move_to)
                return
            imap.copy(uids, move_to)
            action = Mailbox.AfterImport.DELETE
        if action == Mailbox.AfterImport.DELETE:
            imap.delete_messages(uids)
            if imap.has_capability("UIDPLUS"):
                imap.uid_expunge(uids)
            else:
                imap.expunge()
            return
        imap.add_flags(uids, [SEEN, KEYWORD] if self.custom_keywords else [SEEN])
