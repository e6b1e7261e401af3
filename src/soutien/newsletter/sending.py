"""Send an issue in batches: each reader's copy at most once, even if a sender is killed.

A sender claims a batch of pending copies (`claimed_by`, a random token, and `claimed_at`).
For each copy it opens the SMTP transaction and hands the server the whole message except the
final "." line, then commits the copy as sent -- a compare-and-set that also reads the consent
ledger: it succeeds only if the copy is still this batch's and the address may still be
written to -- and only then sends the "." that completes the message. So:

- killed before that commit, the server holds an unfinished message, which it discards when
  the connection drops; the copy is still "claimed", and once the claim is older than
  SOUTIEN_NEWSLETTER_CLAIM_SECONDS another sender takes it back and sends it;
- killed after it, the copy is "sent" and nobody sends it again: if the "." never left, that
  reader misses this issue (the only loss, between a commit and one write on a socket);
- two senders can never both complete the same copy: the second commit finds it taken, and
  that sender drops its connection instead of sending the ".";
- an address that unsubscribes, bounces or whose implied consent runs out is not sent to
  after that change commits, even in a batch already claimed.

A copy the server answered 4xx is tried again later (three tries), 5xx fails it; a recipient
refused as unknown is put on the suppression list. Other mail backends (files, memory: the
demo and the tests) get the message after the commit, with the same at-most-once guarantee.
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from soutien.newsletter import compose, selectors, tokens
from soutien.newsletter.models import (
    ConsentEvent,
    Delivery,
    Issue,
    NewsletterSettings,
    Suppression,
)
from soutien.notifications import newsletter as notify
from soutien.outbound.message_ids import new_message_id

logger = logging.getLogger(__name__)

Status = Delivery.Status
MAX_TRIES = 3
# A recipient refused with one of these codes does not exist: never write to it again.
UNKNOWN_RECIPIENT = (550, 551, 553)
_LINE_START_DOT = re.compile(rb"(?m)^\.")
NO_CONSENT = "no consent any more when its turn came"


def claim_timeout() -> timedelta:
    return timedelta(seconds=int(settings.SOUTIEN_NEWSLETTER_CLAIM_SECONDS))


def message_id(delivery_id: int) -> str:
    """The copy's Message-ID: signed, naming the copy, so a delivery report finds it back."""
    return new_message_id(None, nonce=f"nl{delivery_id:08x}")


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    later: int = 0
    problem: str = ""


class Held(Exception):
    """The mail server cannot take messages now: the batch is given back, sending goes on later."""


def release_stale(issue_id: int) -> int:
    """Give back copies claimed by a sender that has not finished them in time (it died)."""
    horizon = timezone.now() - claim_timeout()
    return Delivery.objects.filter(
        issue_id=issue_id, status=Status.CLAIMED, claimed_at__lt=horizon
    ).update(status=Status.PENDING, claimed_by="", claimed_at=None)


def _claim(issue_id: int, size: int, token: str) -> list[Delivery]:
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(issue_id=issue_id, status=Status.PENDING)
            .order_by("id")
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids, status=Status.PENDING).update(
                status=Status.CLAIMED, claimed_by=token, claimed_at=timezone.now()
            )
    return list(Delivery.objects.filter(claimed_by=token, status=Status.CLAIMED).order_by("id"))


def _mine(row: Delivery, token: str, status: str = Status.CLAIMED) -> Any:
    return Delivery.objects.filter(pk=row.pk, status=status, claimed_by=token)


@dataclass(frozen=True)
class Copy:
    """A claimed copy whose address consented when the batch was checked."""

    row: Delivery
    # The last event of the address's ledger then, and when implied consent runs out (None:
    # express consent, which does not).
    seen: int
    until: datetime | None


def _with_consent(rows: list[Delivery], token: str, report: BatchReport) -> list[Copy]:
    """The batch's copies whose address may be written to now; the others are skipped."""
    ids = [row.subscriber_id for row in rows]
    allowed = set(selectors.consenting().filter(pk__in=ids).values_list("pk", flat=True))
    ledgers: dict[int, list[ConsentEvent]] = {}
    for event in ConsentEvent.objects.filter(subscriber_id__in=ids).order_by("id"):
        ledgers.setdefault(event.subscriber_id, []).append(event)
    kept = []
    for row in rows:
        ledger = ledgers.get(row.subscriber_id, [])
        state = selectors.state_from(ledger, suppressed=False)
        if row.subscriber_id in allowed and state.may_receive:
            kept.append(Copy(row, ledger[-1].pk, state.until))
        else:
            report.skipped += _mine(row, token).update(status=Status.SKIPPED, note=NO_CONSENT)
    return kept


_GATE = f"""
UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s
WHERE id = %s AND status = %s AND claimed_by = %s
AND NOT EXISTS (SELECT 1 FROM {ConsentEvent._meta.db_table} e
                WHERE e.subscriber_id = %s AND e.kind = %s AND e.id > %s)
AND NOT EXISTS (SELECT 1 FROM {Suppression._meta.db_table} s WHERE s.email = %s)
"""  # noqa: S608 (table names from the models; every value is a parameter)


def _commit_sent(copy: Copy, token: str) -> bool:
    """The gate: this copy is sent now, if it is still this batch's and its address still
    consents: it consented when the batch was checked, and since then no withdrawal was
    recorded, it was not suppressed, and its implied consent (if that is its basis) has not
    run out. (Nothing else takes consent away: the rule of `selectors.consenting`.)"""
    now = timezone.now()
    if copy.until is not None and now >= copy.until:
        return False
    row = copy.row
    with connection.cursor() as cursor:
        cursor.execute(
            _GATE,
            [Status.SENT, now, row.pk, Status.CLAIMED, token,
             row.subscriber_id, ConsentEvent.Kind.WITHDRAWAL, copy.seen, row.email],
        )  # fmt: skip
        return cursor.rowcount == 1


def _not_sent(row: Delivery, token: str, *, gated: bool, permanent: bool, note: str) -> str:
    """After the server refused a copy: try it again later, or give up on it."""
    status = Status.SENT if gated else Status.CLAIMED
    if permanent or row.attempts + 1 >= MAX_TRIES:
        _mine(row, token, status).update(
            status=Status.FAILED, note=note[:500], attempts=F("attempts") + 1
        )
        return Status.FAILED
    _mine(row, token, status).update(
        status=Status.PENDING, claimed_by="", claimed_at=None, note=note[:500],
        attempts=F("attempts") + 1,
    )  # fmt: skip
    return Status.PENDING


class Channel:
    """A connection to the mail backend for one batch, completing each message only once its
    copy is committed as sent (`gate`)."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.smtp = isinstance(self.backend, SmtpBackend)

    def __enter__(self) -> Channel:
        self._open()
        return self

    def _open(self) -> None:
        try:
            self.backend.open()
        except (OSError, smtplib.SMTPException) as exc:
            raise Held(f"{type(exc).__name__}: {exc}") from exc
        sock = getattr(self.backend.connection, "sock", None) if self.smtp else None
        if sock is not None:
            # The final "." is a small write right after the message: without this, Nagle's
            # algorithm holds it until the server acknowledges the message (up to 40 ms of
            # delayed ACK, per message).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __exit__(self, *exc: object) -> None:
        try:
            self.backend.close()
        except Exception:
            logger.debug("newsletter: closing the mail connection failed", exc_info=True)

    def _drop(self) -> None:
        """Close without QUIT: mid-DATA, the server then discards what it got."""
        if self.smtp and self.backend.connection is not None:
            self.backend.connection.close()
            self.backend.connection = None

    def send(self, email: EmailMessage, gate: Any) -> tuple[str, int, str]:
        """("sent" | "refused" | "lost" | "dropped" | "unanswered", SMTP code, text)."""
        if not self.smtp:
            if not gate():
                return "dropped", 0, ""
            try:
                self.backend.send_messages([email])
            except Exception as exc:
                return "refused", 451, f"{type(exc).__name__}: {exc}"
            return "sent", 250, ""
        return self._smtp(email, gate)

    def _smtp(self, email: EmailMessage, gate: Any) -> tuple[str, int, str]:
        if self.backend.connection is None:
            self._open()
        conn = self.backend.connection
        encoding = email.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(email.from_email, encoding)
        recipient = sanitize_address(email.to[0], encoding)
        data = email.message().as_bytes(linesep="\r\n")
        try:
            conn.ehlo_or_helo_if_needed()
            size = [f"size={len(data)}"] if conn.has_extn("size") else []
            code, reply = conn.mail(sender, size)
            if code != 250:
                conn.rset()
                raise Held(f"the server refused the sender: {code} {reply!r}")
            code, reply = conn.rcpt(recipient)
            if code not in (250, 251):
                conn.rset()
                return "refused", code, reply.decode(errors="replace")
            code, reply = conn.docmd("data")
            if code != 354:
                conn.rset()
                raise Held(f"the server refused the message: {code} {reply!r}")
            body = _LINE_START_DOT.sub(b"..", data)
            conn.send(body if body.endswith(b"\r\n") else body + b"\r\n")
        except (OSError, smtplib.SMTPException) as exc:
            # Before the final ".": the server has no message; the copy is still ours.
            self._drop()
            raise Held(f"{type(exc).__name__}: {exc}") from exc
        if not gate():
            self._drop()
            return "dropped", 0, ""
        try:
            conn.send(b".\r\n")
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            return "unanswered", 0, f"{type(exc).__name__}: {exc}"
        if code == 250:
            return "sent", code, ""
        return "refused", code, reply.decode(errors="replace")


class Pace:
    """No more than the configured messages per minute, shared among the senders."""

    def __init__(self, config: NewsletterSettings) -> None:
        per_minute = config.rate_per_minute
        self.interval = 60.0 * max(config.senders, 1) / per_minute if per_minute else 0.0
        self.next = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        delay = self.next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.next = max(self.next, time.monotonic()) + self.interval


def send_batch(*, issue_id: int, size: int | None = None) -> BatchReport:
    """Claim one batch of the issue's pending copies and send it."""
    report = BatchReport()
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None:
        return report
    config = selectors.settings_row()
    release_stale(issue_id)
    token = secrets.token_hex(8)
    rows = _claim(issue_id, size or config.batch_size, token)
    report.claimed = len(rows)
    if rows:
        Issue.objects.filter(pk=issue_id).update(active_at=timezone.now())
        try:
            _deliver(issue, _with_consent(rows, token, report), token, config, report)
        except Held as exc:
            report.problem = str(exc)[:500]
            logger.warning("newsletter issue %s held up: %s", issue_id, report.problem)
        finally:
            # Whatever this batch did not get to goes back to the others.
            Delivery.objects.filter(claimed_by=token, status=Status.CLAIMED).update(
                status=Status.PENDING, claimed_by="", claimed_at=None
            )
        Issue.objects.filter(pk=issue_id).update(problem=report.problem)
    finish_if_done(issue_id)
    return report


def _deliver(
    issue: Issue, copies: list[Copy], token: str, config: NewsletterSettings, report: BatchReport
) -> None:
    editions: dict[tuple[str, tuple[str, ...]], compose.Edition] = {}
    pace = Pace(config)
    with Channel() as channel:
        for copy in copies:
            row = copy.row
            key = (row.language, tuple(row.topics))
            if key not in editions:
                editions[key] = compose.edition(
                    issue, row.language, topics=row.topics, config=config
                )
            email = compose.message(
                editions[key],
                to=row.email,
                token=tokens.reader_token(row.subscriber_id),
                message_id=message_id(row.pk),
            )
            pace.wait()
            gated = False

            def gate(copy: Copy = copy) -> bool:
                nonlocal gated
                gated = _commit_sent(copy, token)
                return gated

            outcome, code, text = channel.send(email, gate)
            if outcome == "sent":
                report.sent += 1
            elif outcome == "unanswered":
                report.sent += 1
                _mine(row, token, Status.SENT).update(
                    note="handed to the server, which did not answer: not sent again"
                )
            elif outcome == "dropped":
                # No consent any more; or taken back by another sender (this one was too
                # slow), and then it is theirs.
                report.skipped += _mine(row, token).update(status=Status.SKIPPED, note=NO_CONSENT)
            else:
                _refused(row, token, code, text, gated=gated, report=report)


def _refused(
    row: Delivery, token: str, code: int, text: str, *, gated: bool, report: BatchReport
) -> None:
    note = f"{code} {text}".strip()
    if not gated and code in UNKNOWN_RECIPIENT:
        Suppression.objects.get_or_create(
            email=row.email,
            defaults={"reason": Suppression.Reason.HARD_BOUNCE, "detail": note[:500]},
        )
    outcome = _not_sent(row, token, gated=gated, permanent=code >= 500, note=note)
    if outcome == Status.FAILED:
        report.failed += 1
    else:
        report.later += 1


def finish_if_done(issue_id: int) -> bool:
    """Mark the issue sent once no copy is left to send, and tell the managers (once)."""
    left = Delivery.objects.filter(issue_id=issue_id, status__in=[Status.PENDING, Status.CLAIMED])
    if left.exists():
        return False
    with transaction.atomic():
        done = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, finished_at=timezone.now(), problem=""
        )
        if done:
            issue = Issue.objects.get(pk=issue_id)
            notify.issue_sent(issue=issue, figures=selectors.progress_of(issue).as_dict())
    return bool(done)


@dataclass
class Run:
    batches: int = 0
    sent: int = 0
    more: bool = False
    problem: str = ""


def send_for_a_while(*, issue_id: int, seconds: float = 50.0) -> Run:
    """Send batches until none is left to claim, a problem holds sending up, or time is up
    (`more`: pending copies are left for another run)."""
    run = Run()
    deadline = time.monotonic() + seconds
    while True:
        report = send_batch(issue_id=issue_id)
        run.batches += 1
        run.sent += report.sent
        if report.problem:
            run.problem = report.problem
            return run
        if report.claimed == 0:
            return run
        if time.monotonic() >= deadline:
            run.more = Delivery.objects.filter(issue_id=issue_id, status=Status.PENDING).exists()
            return run


def send_test(*, issue_id: int, address: str, language: str) -> None:
    """A copy of the issue to one address (the manager's own), marked as a test."""
    issue = Issue.objects.get(pk=issue_id)
    config = selectors.settings_row()
    copy = compose.edition(issue, language, config=config, test=True)
    # A test copy's links name nobody: they lead to the "link not valid" page.
    nobody = "-"
    email = compose.message(copy, to=address, token=nobody, message_id=new_message_id(None))
    email.send(fail_silently=False)
