"""Poll one mailbox: record what the server lists, store each message, only then touch the server.

The order is what makes intake lose nothing and double nothing:

1. every UID the server lists above the highest one recorded for this UIDVALIDITY is written
   as a `ServerCopy` ("seen");
2. each message's bytes are stored in their own transaction, deduplicated by Message-ID and
   sender (`InboundEmail.key`), and the copy is linked to them;
3. only after that commit is the message flagged, moved or deleted on the server, and the
   copy marked done; a crash before that leaves the copy pending and the next poll finishes it;
4. stored messages are processed (`soutien.channels.mail.ingest`), each in its own transaction.

Every step logs a record with `mail_step` in its extra data (tests kill the process there).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from soutien.channels.mail import ingest
from soutien.channels.mail.imap import Fetched, ImapSession, MailboxError
from soutien.channels.mail.models import InboundEmail, Mailbox, ServerCopy
from soutien.channels.mail.parsing import Identity, identity
from soutien.outbound import outbox

logger = logging.getLogger(__name__)

# Per poll: at most this many new messages stored (the rest stay "seen" for the next poll).
MAX_PER_POLL = 500
BATCH_MESSAGES = 25
BATCH_BYTES = 32 * 1024 * 1024
# A message the server failed to hand over this many times is set aside for a human.
MAX_FETCH_ATTEMPTS = 5


@dataclass
class PollReport:
    listed: int = 0
    stored: int = 0
    duplicates: int = 0
    vanished: int = 0
    server_done: int = 0
    processed: dict[str, int] = field(default_factory=dict)
    error: str = ""


def _step(name: str, **data: object) -> None:
    logger.debug("mail intake: %s %s", name, data, extra={"mail_step": name, **data})


def _max_message_bytes() -> int:
    return int(settings.SOUTIEN_MAIL_MAX_MESSAGE_BYTES)


def _new_email(
    mailbox: Mailbox, copy: ServerCopy, fetched: Fetched, ident: Identity
) -> InboundEmail:
    now = timezone.now()
    email = InboundEmail(
        key=ident.key,
        message_id=ident.message_id[:255],
        mailbox=mailbox,
        raw=fetched.raw,
        size=copy.size or len(fetched.raw),
        arrived_at=min(fetched.arrived_at or now, now),
        from_address=ident.from_address[:254],
        subject=ident.subject[:255],
    )
    if copy.size > _max_message_bytes():
        limit = _max_message_bytes() // (1024 * 1024)
        email.status = InboundEmail.Status.QUARANTINED
        email.reason = (
            f"too large: {copy.size / (1024 * 1024):.1f} MB (the limit is {limit} MB);"
            " only its headers were kept, the whole message stays on the server"
        )
    return email


def _store(mailbox: Mailbox, items: list[tuple[ServerCopy, Fetched]], report: PollReport) -> None:
    """Store a batch's bytes, each message once, and link the copies (in the caller's
    transaction): a few statements for the whole batch."""
    idents = [identity(fetched.raw) for _, fetched in items]
    known = dict(
        InboundEmail.objects.filter(key__in=[i.key for i in idents]).values_list("key", "pk")
    )
    fresh: dict[str, InboundEmail] = {}
    for (copy, fetched), ident in zip(items, idents, strict=True):
        if ident.key not in known and ident.key not in fresh:
            fresh[ident.key] = _new_email(mailbox, copy, fetched, ident)
    try:
        with transaction.atomic():
            InboundEmail.objects.bulk_create(fresh.values())
    except IntegrityError:
        # Another poll (another mailbox, another worker) stored some of them a moment ago.
        for key, email in list(fresh.items()):
            try:
                with transaction.atomic():
                    email.pk = None
                    email.save(force_insert=True)
            except IntegrityError:
                del fresh[key]
                known[key] = InboundEmail.objects.get(key=key).pk
    known.update({key: email.pk for key, email in fresh.items()})
    report.stored += len(fresh)
    report.duplicates += len(items) - len(fresh)
    copies = []
    for (copy, _fetched), ident in zip(items, idents, strict=True):
        copy.state, copy.email_id, copy.error = ServerCopy.State.STORED, known[ident.key], ""
        copies.append(copy)
    ServerCopy.objects.bulk_update(copies, ["state", "email", "error"])
    for copy, ident in zip(copies, idents, strict=True):
        _step("stored", uid=copy.uid, key=ident.key)


def _server_done(
    mailbox: Mailbox, imap: ImapSession, copies: list[ServerCopy], report: PollReport
) -> None:
    """Flag, move or delete stored messages on the server, then mark their copies done."""
    if not copies:
        return
    uids = [copy.uid for copy in copies]
    # An oversized message is only flagged: it exists whole nowhere but on the server.
    keep = {c.uid for c in copies if c.size > _max_message_bytes()}
    action = mailbox.after_import
    _step("server_action", uids=uids, action=action)
    if keep and action != Mailbox.AfterImport.FLAG:
        imap.done(sorted(keep), Mailbox.AfterImport.FLAG)
    imap.done([u for u in uids if u not in keep], action, mailbox.move_to)
    _step("server_acted", uids=uids)
    ServerCopy.objects.filter(pk__in=[c.pk for c in copies]).update(server_done_at=timezone.now())
    _step("server_done", uids=uids)
    report.server_done += len(copies)


def _finish_pending(mailbox: Mailbox, imap: ImapSession, report: PollReport) -> None:
    """Copies stored by an earlier poll that died before the server was told."""
    pending = ServerCopy.objects.filter(
        mailbox=mailbox, state=ServerCopy.State.STORED, server_done_at__isnull=True
    )
    stale = pending.exclude(uidvalidity=imap.uidvalidity)
    # UIDs of an older UIDVALIDITY mean nothing now; the messages are listed again under the
    # new one, recognized as already stored, and handled then.
    stale.update(server_done_at=timezone.now(), error="UIDVALIDITY changed before the action")
    current = list(pending.filter(uidvalidity=imap.uidvalidity).order_by("uid")[:MAX_PER_POLL])
    for start in range(0, len(current), BATCH_MESSAGES * 4):
        _server_done(mailbox, imap, current[start : start + BATCH_MESSAGES * 4], report)


def _record_listed(mailbox: Mailbox, imap: ImapSession, report: PollReport) -> None:
    highest = (
        ServerCopy.objects.filter(mailbox=mailbox, uidvalidity=imap.uidvalidity).aggregate(
            top=Max("uid")
        )["top"]
        or 0
    )
    listed = imap.list_after(highest)
    report.listed = len(listed)
    if listed:
        ServerCopy.objects.bulk_create(
            [
                ServerCopy(mailbox=mailbox, uidvalidity=imap.uidvalidity, uid=i.uid, size=i.size)
                for i in listed
            ],
            ignore_conflicts=True,
        )
        _step("listed", count=len(listed))


def _batches(copies: list[ServerCopy]) -> list[list[ServerCopy]]:
    batches: list[list[ServerCopy]] = [[]]
    size = 0
    for copy in copies:
        if batches[-1] and (len(batches[-1]) >= BATCH_MESSAGES or size + copy.size > BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(copy)
        size += copy.size
    return [batch for batch in batches if batch]


def _fetch(imap: ImapSession, batch: list[ServerCopy]) -> tuple[dict[int, Fetched], set[int]]:
    """Fetch a batch whole; if the server refuses, one message at a time, so a message it
    cannot hand over is set aside after a few tries instead of blocking the others.

    Returns what was fetched and the UIDs the server refused.
    """
    limit = _max_message_bytes()
    whole = [c.uid for c in batch if c.size <= limit]
    fetched: dict[int, Fetched] = {}
    refused: set[int] = set()
    try:
        fetched = imap.fetch(whole)
    except IMAPClientAbortError:
        raise
    except IMAPClientError:
        for copy in batch:
            if copy.size > limit:
                continue
            try:
                fetched.update(imap.fetch([copy.uid]))
            except IMAPClientAbortError:
                raise
            except IMAPClientError as exc:
                _refused(copy, str(exc))
                refused.add(copy.uid)
    for copy in batch:
        if copy.size > limit:
            header = imap.fetch_header(copy.uid)
            if header is not None:
                fetched[copy.uid] = header
    return fetched, refused


def _refused(copy: ServerCopy, error: str) -> None:
    """The server answered an error for this message: leave it for the next poll, a few times."""
    if copy.fetch_attempts + 1 >= MAX_FETCH_ATTEMPTS:
        ServerCopy.objects.filter(pk=copy.pk).update(
            state=ServerCopy.State.UNREADABLE, error=error[:1000]
        )
    else:
        ServerCopy.objects.filter(pk=copy.pk).update(error=error[:1000])


def _store_listed(mailbox: Mailbox, imap: ImapSession, report: PollReport) -> None:
    copies = list(
        ServerCopy.objects.filter(
            mailbox=mailbox, uidvalidity=imap.uidvalidity, state=ServerCopy.State.LISTED
        ).order_by("uid")[:MAX_PER_POLL]
    )
    for batch in _batches(copies):
        fetched, refused = _fetch(imap, batch)
        stored: list[ServerCopy] = []
        # One transaction (one durable commit) per batch; the server is told after it.
        with transaction.atomic():
            ServerCopy.objects.filter(pk__in=[c.pk for c in batch]).update(
                fetch_attempts=F("fetch_attempts") + 1
            )
            for copy in batch:
                if copy.uid not in fetched and copy.uid not in refused:
                    _gone(copy, report)
            stored = [c for c in batch if c.uid in fetched]
            _store(mailbox, [(c, fetched[c.uid]) for c in stored], report)
        for copy in stored:
            _step("committed", uid=copy.uid)
        _server_done(mailbox, imap, sorted(stored, key=lambda c: c.uid), report)


def _gone(copy: ServerCopy, report: PollReport) -> None:
    """The server listed the UID but did not return it: expunged meanwhile, most likely."""
    copy.refresh_from_db(fields=["fetch_attempts"])
    if copy.fetch_attempts < 2:
        return  # Ask once more at the next poll before deciding.
    ServerCopy.objects.filter(pk=copy.pk).update(
        state=ServerCopy.State.VANISHED,
        server_done_at=timezone.now(),
        error="listed by the server, then not returned by it (deleted meanwhile?)",
    )
    report.vanished += 1


def process_pending(
    *, mailbox: Mailbox | None = None, limit: int = 2000, counts: dict[str, int] | None = None
) -> dict[str, int]:
    """Process stored messages still waiting (this poll's, or a crashed poll's), oldest first.

    Returns the outcomes of this call (and adds them to `counts`, if given).
    """
    pending = InboundEmail.objects.filter(status=InboundEmail.Status.RECEIVED)
    if mailbox is not None:
        pending = pending.filter(mailbox=mailbox)
    mine: dict[str, int] = {}
    pks = list(pending.order_by("id").values_list("pk", flat=True)[:limit])
    with outbox.batched():
        for outcome in ingest.process_many(pks):
            mine[outcome] = mine.get(outcome, 0) + 1
            if counts is not None:
                counts[outcome] = counts.get(outcome, 0) + 1
    return mine


def _record_outcome(mailbox: Mailbox, started: datetime, error: str) -> None:
    now = timezone.now()
    if error:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_poll_at=now,
            last_error=error[:2000],
            consecutive_failures=F("consecutive_failures") + 1,
        )
    else:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_poll_at=now, last_success_at=now, last_error="", consecutive_failures=0
        )
    logger.info("mailbox %s polled in %.1fs%s", mailbox.name, (now - started).total_seconds(),
                f": {error}" if error else "")  # fmt: skip


def _server_side(mailbox: Mailbox, report: PollReport) -> None:
    """The IMAP half of a poll: list, store, tell the server; failures go in `report.error`."""
    started = timezone.now()
    try:
        with ImapSession(mailbox) as imap:
            if mailbox.uidvalidity != imap.uidvalidity:
                if mailbox.uidvalidity is not None:
                    logger.warning("mailbox %s: UIDVALIDITY changed", mailbox.name)
                Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=imap.uidvalidity)
                mailbox.uidvalidity = imap.uidvalidity
            _finish_pending(mailbox, imap, report)
            _record_listed(mailbox, imap, report)
            _store_listed(mailbox, imap, report)
    except MailboxError as exc:
        report.error = str(exc)
    except Exception as exc:
        logger.exception("mailbox %s: poll failed", mailbox.name)
        report.error = f"{type(exc).__name__}: {exc}"
    _record_outcome(mailbox, started, report.error)


def poll(*, mailbox: Mailbox, process: bool = True) -> PollReport:
    """One poll of a mailbox; never raises for anything the server or a message does."""
    report = PollReport()
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_started_at=timezone.now())
    _server_side(mailbox, report)
    if process:
        report.processed = process_pending(mailbox=mailbox)
    return report
