"""Reads on agreements, always narrowed to what the viewer may see.

Staff see every agreement and every version. A client sees an agreement only once it has been
sent (a draft is the vendor's business), and only the versions it was sent: a client
administrator for the whole organization, a contact on its own requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from soutien.accounts.models import User
from soutien.agreements import documents
from soutien.agreements.models import (
    FINISHED,
    Agreement,
    AgreementDocument,
    AgreementVersion,
    Milestone,
    State,
)
from soutien.contracts.models import TimeEntry


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related("ticket", "organization", "current", "sent", "accepted")
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
    """Agreements whose production has started and is not delivered, with their milestones."""
    return (
        Agreement.objects.filter(started_at__isnull=False)
        .exclude(state__in=FINISHED)
        .select_related("ticket", "organization", "current", "accepted", "author")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "position", "id"))
        )
        .order_by("accepted__delivery_on", "id")
    )


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
    """Minutes logged on the request from the start of production (to delivery or cancelling)."""
    version = version or agreement.current
    assert version is not None
    used = 0
    if agreement.started_at is not None:
        end: datetime | None = None
        if agreement.state in (State.DELIVERED, State.CONFIRMED):
            end = agreement.delivered_at
        elif agreement.state == State.CANCELLED:
            end = agreement.cancelled_at
        entries = TimeEntry.objects.filter(
            ticket_id=agreement.ticket_id, started_at__gte=agreement.started_at
        )
        if end is not None:
            entries = entries.filter(started_at__lt=end)
        used = entries.aggregate(total=Sum("minutes"))["total"] or 0
    return Progress(estimate_minutes=version.estimate_minutes, used_minutes=used)


def milestones_of(agreement: Agreement) -> list[Milestone]:
    return list(agreement.milestones.select_related("done_by").order_by("due_on", "position", "id"))
