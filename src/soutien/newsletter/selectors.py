"""Reads on the newsletter: who may be sent an issue now (from the consent ledger), an address's
state and ledger, an issue's progress, and the archive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from soutien.accounts.models import User
from soutien.newsletter.models import (
    ConsentEvent,
    ConsentText,
    Delivery,
    Issue,
    NewsletterSettings,
    ResolvedProblem,
    Subscriber,
    Suppression,
)
from soutien.ticketing.models import Ticket
from soutien.ticketing.selectors import resolved_between

Kind = ConsentEvent.Kind


def consenting(*, at: datetime | None = None) -> QuerySet[Subscriber]:
    """Subscribers who may be sent an issue at `at` (now), read from the ledger.

    After the address's last withdrawal there is express consent (confirmed, if it came
    through a form anyone can fill) or implied consent not yet expired; and the address is
    not suppressed. The events are compared by id: a subscriber's events are written one at a
    time under a lock on its row, so their ids are in the order they happened.
    """
    at = at or timezone.now()
    last_withdrawal = Coalesce(
        Subquery(
            ConsentEvent.objects.filter(subscriber=OuterRef("pk"), kind=Kind.WITHDRAWAL)
            .order_by("-id")
            .values("id")[:1]
        ),
        Value(0),
    )
    since = ConsentEvent.objects.filter(
        subscriber=OuterRef("pk"), id__gt=OuterRef("last_withdrawal")
    )
    return (
        Subscriber.objects.annotate(last_withdrawal=last_withdrawal)
        .filter(
            Exists(since.filter(kind=Kind.EXPRESS, awaiting_confirmation=False))
            | Exists(since.filter(kind=Kind.IMPLIED, expires_at__gt=at))
        )
        .exclude(Exists(Suppression.objects.filter(email=OuterRef("email"))))
    )


@dataclass(frozen=True)
class ConsentState:
    """Where an address stands, in words the console, the API and the pages share."""

    # "subscribed", "awaiting_confirmation", "unsubscribed", "expired", "suppressed", "none"
    status: str
    basis: str = ""  # "express" or "implied" while subscribed
    since: datetime | None = None
    until: datetime | None = None  # when implied consent runs out

    @property
    def may_receive(self) -> bool:
        return self.status == "subscribed"


def state_from(
    events: Sequence[ConsentEvent], *, suppressed: bool, at: datetime | None = None
) -> ConsentState:
    """The state the ledger gives (the same rule as `consenting`, for one address)."""
    at = at or timezone.now()
    ordered = sorted(events, key=lambda e: e.pk)
    withdrawals = [e for e in ordered if e.kind == Kind.WITHDRAWAL]
    last_out = withdrawals[-1].pk if withdrawals else 0
    after = [e for e in ordered if e.pk > last_out]
    express = [e for e in after if e.kind == Kind.EXPRESS and not e.awaiting_confirmation]
    implied = [e for e in after if e.kind == Kind.IMPLIED and e.expires_at is not None]
    awaiting = [e for e in after if e.kind == Kind.EXPRESS and e.awaiting_confirmation]
    if suppressed:
        return ConsentState("suppressed")
    if express:
        return ConsentState("subscribed", "express", since=express[0].at)
    until = max((e.expires_at for e in implied if e.expires_at), default=None)
    if until is not None and until > at:
        return ConsentState("subscribed", "implied", since=implied[0].at, until=until)
    if until is not None:
        return ConsentState("expired", "implied", until=until)
    if awaiting:
        return ConsentState("awaiting_confirmation", since=awaiting[-1].at)
    if withdrawals:
        return ConsentState("unsubscribed", since=withdrawals[-1].at)
    return ConsentState("none")


def ledger_of(subscriber: Subscriber) -> list[ConsentEvent]:
    return list(subscriber.events.select_related("recorded_by").order_by("id"))


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email=email.lower()).exists()


def state_of(subscriber: Subscriber, *, at: datetime | None = None) -> ConsentState:
    return state_from(
        list(subscriber.events.all()), suppressed=is_suppressed(subscriber.email), at=at
    )


def subscriber_for(viewer: User, subscriber_id: int) -> Subscriber:
    """Staff see every subscriber; anyone else only the one of their own address (else 404)."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        raise Http404
    if viewer.is_staff_member:
        return subscriber
    if viewer.email and viewer.email.lower() == subscriber.email:
        return subscriber
    raise Http404


def subscriber_of(user: User) -> Subscriber | None:
    """The subscriber of a signed-in person's own address, if there is one."""
    if not user.email:
        return None
    return Subscriber.objects.filter(email=user.email.lower()).first()


def subscribers(*, search: str = "", limit: int = 100) -> list[Subscriber]:
    qs = Subscriber.objects.all()
    if search:
        qs = qs.filter(email__icontains=search.strip().lower())
    return list(qs.order_by("email")[:limit])


def settings_row() -> NewsletterSettings:
    """The sender's identification and the sending pace (made on first use)."""
    row = NewsletterSettings.objects.filter(pk=1).first()
    if row is None:
        row, _created = NewsletterSettings.objects.get_or_create(
            pk=1,
            defaults={
                "sender_name": "Soutien technique",
                "postal_address": "",
                "reach": "",
            },
        )
    return row


def current_text() -> ConsentText | None:
    """The consent wording shown to people who subscribe now."""
    return ConsentText.objects.order_by("-created_at", "-id").first()


def consent_texts() -> list[ConsentText]:
    return list(ConsentText.objects.order_by("-created_at", "-id"))


# --- issues ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    recipients: int
    sent: int
    left: int
    skipped: int
    bounced: int
    failed: int

    @property
    def done_share(self) -> float:
        return (self.recipients - self.left) / self.recipients if self.recipients else 1.0

    def as_dict(self) -> dict[str, int]:
        return {
            "recipients": self.recipients,
            "sent": self.sent,
            "left": self.left,
            "skipped": self.skipped,
            "bounced": self.bounced,
            "failed": self.failed,
        }


def delivery_counts(issue: Issue) -> dict[str, int]:
    """Copies of the issue by status."""
    rows = issue.deliveries.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def progress_of(issue: Issue) -> Progress:
    """Sent, left, skipped, bounced and failed copies of an issue (kept once forgotten)."""
    counts = delivery_counts(issue)
    if not counts and issue.tally:
        counts = {str(k): int(v) for k, v in issue.tally.items()}
    S = Delivery.Status
    return Progress(
        recipients=sum(counts.values()),
        # A bounced copy was sent, then came back.
        sent=counts.get(S.SENT, 0) + counts.get(S.BOUNCED, 0),
        left=counts.get(S.PENDING, 0) + counts.get(S.CLAIMED, 0),
        skipped=counts.get(S.SKIPPED, 0),
        bounced=counts.get(S.BOUNCED, 0),
        failed=counts.get(S.FAILED, 0),
    )


def issues() -> list[Issue]:
    return list(Issue.objects.order_by("-month"))


def issue_for_staff(viewer: User, issue_id: int) -> Issue:
    if not viewer.is_staff_member:
        raise Http404
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        raise Http404
    return issue


def published_issues() -> QuerySet[Issue]:
    """The archive: issues whose sending has started, latest first."""
    return Issue.objects.filter(
        Q(status=Issue.Status.SENDING) | Q(status=Issue.Status.SENT)
    ).order_by("-month")


def published_issue(slug: str) -> Issue:
    """A published issue by its month ("2026-11"); 404 for anything else."""
    try:
        month = date.fromisoformat(f"{slug}-01")
    except ValueError:
        raise Http404 from None
    issue = published_issues().filter(month=month).first()
    if issue is None:
        raise Http404
    return issue


def subscribers_with_state(
    *, search: str = "", limit: int = 100
) -> list[tuple[Subscriber, ConsentState]]:
    """Subscribers (an address containing `search`) with their state, in three queries."""
    found = subscribers(search=search, limit=limit)
    ledgers: dict[int, list[ConsentEvent]] = {s.pk: [] for s in found}
    for event in ConsentEvent.objects.filter(subscriber__in=found).order_by("id"):
        ledgers[event.subscriber_id].append(event)
    suppressed = set(
        Suppression.objects.filter(email__in=[s.email for s in found]).values_list(
            "email", flat=True
        )
    )
    return [(s, state_from(ledgers[s.pk], suppressed=s.email in suppressed)) for s in found]


@dataclass(frozen=True)
class Audience:
    subscribers: int
    may_receive: int
    suppressed: int


def audience() -> Audience:
    return Audience(
        subscribers=Subscriber.objects.count(),
        may_receive=consenting().count(),
        suppressed=Suppression.objects.count(),
    )


def suppressions(*, limit: int = 100) -> list[Suppression]:
    return list(Suppression.objects.order_by("-at")[:limit])


def problem_candidates(*, since: datetime) -> list[tuple[Ticket, ResolvedProblem | None]]:
    """Level-2 requests resolved since `since`, each with its telling if a manager wrote one."""
    tickets = list(resolved_between(2, since, timezone.now() + timedelta(minutes=1))[:200])
    told = {p.ticket_id: p for p in ResolvedProblem.objects.filter(ticket__in=tickets)}
    return [(ticket, told.get(ticket.pk)) for ticket in tickets]


def copies_of(subscriber: Subscriber, *, limit: int = 24) -> list[Delivery]:
    """The issues sent (or to be sent) to an address, latest first."""
    return list(
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("issue")
        .order_by("-id")[:limit]
    )
