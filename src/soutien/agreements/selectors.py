"""Reads on agreements, always narrowed to what the viewer may see.

Staff see every agreement and every version. A client sees an agreement only once it has been
sent (a draft is the vendor's business), and only the versions it was sent: a client
administrator for the whole organization, a contact on its own requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from soutien.accounts.models import User
from soutien.agreements import dates, documents
from soutien.agreements.models import (
    FINISHED,
    Agreement,
    AgreementDocument,
    AgreementVersion,
    Milestone,
    State,
)
from soutien.contracts.models import TimeEntry

# Production that has not ended yet runs up to this moment.
_OPEN_END = datetime(9999, 1, 1, tzinfo=UTC)


def with_used_minutes(qs: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Annotate `used_minutes`: minutes logged on the request during production (one subquery).

    Production runs from its start to the delivery (or the cancelling); before it starts,
    nothing counts.
    """
    end = Coalesce(OuterRef("delivered_at"), OuterRef("cancelled_at"), Value(_OPEN_END))
    entries = TimeEntry.objects.filter(
        ticket_id=OuterRef("ticket_id"), started_at__gte=OuterRef("started_at"), started_at__lt=end
    )
    total = entries.values("ticket_id").annotate(total=Sum("minutes")).values("total")[:1]
    return qs.annotate(used_minutes=Coalesce(Subquery(total), 0))


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    """The agreements this person may read, with what a page or a list of them shows."""
    qs = Agreement.objects.select_related(
        "ticket",
        "organization",
        "author",
        "current__approved_by",
        "current__accepted_by",
        "sent__approved_by",
        "sent__accepted_by",
        "accepted",
    ).prefetch_related(Prefetch("milestones", queryset=Milestone.objects.select_related("done_by")))
    if user.is_staff_member:
        return qs
    if user.organization_id is None:
        return qs.none()
    qs = qs.filter(organization_id=user.organization_id, sent__isnull=False)
    if user.is_client_admin:
        return qs
    return qs.filter(ticket__contact_id=user.pk)


def agreement_for(user: User, agreement_id: int, *, acting: bool = False) -> Agreement:
    """The agreement if the user may see it; 404 otherwise, whether or not it exists.

    `acting`: a client of the agreement's organization who may not see it is still given it,
    so that the service refuses the action (403) rather than pretend it does not exist.
    """
    found = agreements_visible_to(user).filter(pk=agreement_id).first()
    if found is None and acting and user.organization_id is not None:
        found = (
            Agreement.objects.select_related("ticket", "current")
            .filter(pk=agreement_id, organization_id=user.organization_id, sent__isnull=False)
            .first()
        )
    if found is None:
        raise Http404
    return found


def agreements_of_ticket(user: User, ticket_id: int) -> QuerySet[Agreement]:
    return agreements_visible_to(user).filter(ticket_id=ticket_id)


def shown_version(user: User, agreement: Agreement) -> AgreementVersion:
    """The version this person reads: the current one for staff, the last one sent for clients."""
    version = agreement.current if user.is_staff_member else agreement.sent
    if version is None:
        raise Http404
    return version


def versions_visible_to(user: User, agreement: Agreement) -> QuerySet[AgreementVersion]:
    qs = agreement.versions.select_related(
        "author", "approved_by", "sent_by", "accepted_by", "declined_by"
    ).order_by("number")
    if not user.is_staff_member:
        qs = qs.filter(sent_at__isnull=False)
    return qs


def document_for(user: User, agreement: Agreement, number: int | None) -> tuple[str, bytes]:
    """A version's PDF (its name and bytes): as accepted, else as sent; staff get any version.

    A version never sent exists only for staff, rendered now and marked as a draft.
    """
    versions = versions_visible_to(user, agreement)
    version = (
        versions.filter(number=number).first()
        if number is not None
        else versions.filter(pk=shown_version(user, agreement).pk).first()
    )
    if version is None:
        raise Http404
    stored = {doc.kind: doc for doc in AgreementDocument.objects.filter(version=version)}
    chosen = stored.get(AgreementDocument.Kind.ACCEPTED) or stored.get(AgreementDocument.Kind.SENT)
    prefix = "entente" if version.language == "fr" else "agreement"
    name = f"{prefix}-{agreement.pk}-v{version.number}.pdf"
    if chosen is not None:
        return name, bytes(chosen.pdf)
    return name, documents.render_pdf(agreement=agreement, version=version, draft=True)


def approval_queue() -> QuerySet[Agreement]:
    """Agreements waiting for the development lead, oldest first."""
    return (
        Agreement.objects.filter(state=State.PROPOSED)
        .select_related("ticket", "organization", "current", "author")
        .order_by("updated_at", "id")
    )


def in_production() -> QuerySet[Agreement]:
    """Agreements whose production has started and is not delivered, soonest delivery first.

    With their milestones and `used_minutes` (a few queries whatever their number).
    """
    return with_used_minutes(
        Agreement.objects.filter(started_at__isnull=False)
        .exclude(state__in=FINISHED)
        .select_related("ticket", "organization", "current", "accepted", "author")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "position", "id"))
        )
    ).order_by("accepted__delivery_on", "id")


def next_milestone(agreement: Agreement) -> Milestone | None:
    """The earliest milestone not done (from prefetched milestones when there are)."""
    return next((m for m in agreement.milestones.all() if m.done_at is None), None)


@dataclass(frozen=True)
class Progress:
    """Work logged on the request since production started, against the estimate."""

    estimate_minutes: int
    used_minutes: int

    @property
    def left_minutes(self) -> int:
        return max(self.estimate_minutes - self.used_minutes, 0)

    @property
    def over_minutes(self) -> int:
        return max(self.used_minutes - self.estimate_minutes, 0)

    @property
    def share(self) -> int:
        """Per cent of the estimate used (may pass 100)."""
        return self.used_minutes * 100 // self.estimate_minutes if self.estimate_minutes else 0


def progress(agreement: Agreement, version: AgreementVersion | None = None) -> Progress:
    """Minutes logged on the request in production, against the version's estimate."""
    version = version or agreement.current
    assert version is not None
    used: int | None = getattr(agreement, "used_minutes", None)
    if used is None:
        annotated = with_used_minutes(Agreement.objects.filter(pk=agreement.pk)).get()
        used = getattr(annotated, "used_minutes", 0)
    return Progress(estimate_minutes=version.estimate_minutes, used_minutes=used)


@dataclass(frozen=True)
class MilestoneLine:
    """A milestone of the version shown, with its progress from the row that carries it."""

    id: int
    title: str
    due_on: date
    description: str
    done_at: datetime | None
    done_by: str
    # Its day ended without it being done.
    late: bool


def milestone_lines(
    agreement: Agreement, version: AgreementVersion, *, today: date | None = None
) -> list[MilestoneLine]:
    """The version's milestones in date order; a milestone since removed shows as not done.

    `today` (the vendor's date) may be given once for a list of agreements.
    """
    today = today or dates.local_date(timezone.now())
    rows = {row.pk: row for row in agreement.milestones.all()}
    lines = []
    for item in version.milestone_list():
        row = rows.get(item.get("id") or 0)
        done_at = row.done_at if row is not None else None
        lines.append(
            MilestoneLine(
                id=item.get("id") or 0,
                title=item["title"],
                due_on=item["due_on"],
                description=item.get("description", ""),
                done_at=done_at,
                done_by=row.done_by.display_name if row is not None and row.done_by else "",
                late=done_at is None and item["due_on"] < today,
            )
        )
    return sorted(lines, key=lambda line: line.due_on)
