"""Reads for the console: what each mailbox saw, imported and set aside, and why they differ."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from soutien.channels.mail.models import STUCK_AFTER, InboundEmail, Mailbox, ServerCopy

DONE = (InboundEmail.Status.IMPORTED, InboundEmail.Status.IGNORED, InboundEmail.Status.REFUSED)


@dataclass(frozen=True)
class Alarm:
    """Something wrong with a mailbox: a code and its figures, put in words by whoever reads it.

    Kept as data so the console shows it in the reader's language and the command line in
    the operator's, whatever language was active when it was found.
    """

    code: str
    params: dict[str, object] = field(default_factory=dict)

    POLLS_FAILING = "polls_failing"
    UNACCOUNTED = "unaccounted"

    @property
    def text(self) -> str:
        if self.code == self.POLLS_FAILING:
            return _("The last %(count)s polls failed: %(error)s") % self.params
        return (
            _(
                "Seen %(seen)s, imported or set aside for a reason %(done)s: %(quarantined)s"
                " in quarantine, %(vanished)s gone from the server before they were read,"
                " %(waiting)s waiting."
            )
            % self.params
        )

    def __str__(self) -> str:
        return self.text


@dataclass
class MailboxStats:
    seen: int = 0
    imported: int = 0
    ignored: int = 0
    quarantined: int = 0
    waiting: int = 0
    vanished: int = 0
    oldest_waiting: datetime | None = None
    alarms: list[Alarm] = field(default_factory=list)

    @property
    def accounted(self) -> int:
        """Seen messages that reached an outcome: a request, a message, a reasoned refusal."""
        return self.imported + self.ignored


def mailbox_stats(
    mailboxes: Iterable[Mailbox], *, now: datetime | None = None
) -> dict[int, MailboxStats]:
    """Per mailbox (one query): messages seen on the server against those accounted for.

    Seen and imported differ while messages wait their turn; an alarm is raised when they
    differ for another reason (quarantine, vanished from the server, waiting too long) or
    when polls keep failing.
    """
    now = now or timezone.now()
    boxes = {box.pk: box for box in mailboxes}
    stats = {pk: MailboxStats() for pk in boxes}
    rows = (
        ServerCopy.objects.filter(mailbox_id__in=list(boxes))
        .values("mailbox_id", "state", "email__status")
        .annotate(n=Count("id"), oldest=Min("seen_at"))
        .order_by()
    )
    for row in rows:
        s = stats[row["mailbox_id"]]
        n, state, status = row["n"], row["state"], row["email__status"]
        s.seen += n
        if state == ServerCopy.State.VANISHED:
            s.vanished += n
        elif state == ServerCopy.State.UNREADABLE or status == InboundEmail.Status.QUARANTINED:
            s.quarantined += n
        elif state == ServerCopy.State.LISTED or status == InboundEmail.Status.RECEIVED:
            s.waiting += n
            if s.oldest_waiting is None or row["oldest"] < s.oldest_waiting:
                s.oldest_waiting = row["oldest"]
        elif status == InboundEmail.Status.IMPORTED:
            s.imported += n
        elif status in DONE:
            s.ignored += n
    for pk, s in stats.items():
        box = boxes[pk]
        if box.failing:
            s.alarms.append(
                Alarm(
                    Alarm.POLLS_FAILING,
                    {"count": box.consecutive_failures, "error": box.last_error},
                )
            )
        stuck = s.oldest_waiting is not None and now - s.oldest_waiting > STUCK_AFTER
        if s.seen != s.accounted and (s.quarantined or s.vanished or stuck):
            s.alarms.append(
                Alarm(
                    Alarm.UNACCOUNTED,
                    {
                        "seen": s.seen,
                        "done": s.accounted,
                        "quarantined": s.quarantined,
                        "vanished": s.vanished,
                        "waiting": s.waiting,
                    },
                )
            )
    return stats


def quarantine(mailbox: Mailbox) -> QuerySet[InboundEmail]:
    return InboundEmail.objects.filter(
        copies__mailbox=mailbox, status=InboundEmail.Status.QUARANTINED
    ).distinct()


def unreadable(mailbox: Mailbox) -> QuerySet[ServerCopy]:
    return ServerCopy.objects.filter(mailbox=mailbox, state=ServerCopy.State.UNREADABLE)


def recent_emails(mailbox: Mailbox, limit: int = 50) -> list[InboundEmail]:
    return list(
        InboundEmail.objects.filter(Q(copies__mailbox=mailbox))
        .defer("raw", "text", "html")
        .select_related("ticket")
        .distinct()
        .order_by("-id")[:limit]
    )
