"""Who is told what about development agreements: one function per event.

The client administrators of the organization get emails (the agreement to review with its
PDF, the copy they accepted, a moved delivery date, a delivery to confirm, a cancellation); the
staff concerned get in-app notices and emails. Each recipient in their own language; the PDF is
in the agreement's language. Called by `soutien.agreements.services` in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime

from soutien.accounts.models import User
from soutien.notifications import recipients
from soutien.notifications.models import Notification
from soutien.notifications.services import email_each, post
from soutien.outbound.kinds import EmailKind, register
from soutien.outbound.models import OutboundEmail

if TYPE_CHECKING:
    from soutien.agreements.models import Agreement, AgreementVersion, Milestone

TEMPLATES = "notifications/emails"
CLIENT_EMAIL = "agreement_client"
STAFF_EMAIL = "agreement_staff"


def _team(agreement: Agreement, *, also: Iterable[User | None] = ()) -> list[User]:
    """The staff who carry the agreement: its author, the request's assignee, its approver."""
    current = agreement.current
    people = [
        agreement.author,
        agreement.ticket.assignee,
        current.approved_by if current is not None else None,
        *also,
    ]
    return list({p.pk: p for p in people if p is not None and p.is_active}.values())


def _facts(agreement: Agreement, **more: object) -> dict[str, Any]:
    version = agreement.current
    facts: dict[str, Any] = {
        "agreement": agreement.pk,
        "version": version.number if version is not None else None,
    }
    for name, value in more.items():
        facts[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return facts


def _email(
    people: Iterable[User],
    template: str,
    agreement: Agreement,
    event: str,
    *,
    files: list[tuple[str, bytes, str]] | None = None,
    facts: dict[str, object] | None = None,
) -> int:
    return email_each(
        people,
        template,
        context={"event": event, **_facts(agreement, **(facts or {}))},
        ticket_id=agreement.ticket_id,
        files=files or (),
    )


def _tell_staff(
    people: list[User], kind: str, agreement: Agreement, event: str, *, email: bool, **facts: object
) -> int:
    post(people, kind, ticket=agreement.ticket, **_facts(agreement, **facts))
    return _email(people, STAFF_EMAIL, agreement, event, facts=facts) if email else 0


def _pdf(
    agreement: Agreement, version: AgreementVersion, document: bytes
) -> list[tuple[str, bytes, str]]:
    prefix = "entente" if version.language == "fr" else "agreement"
    return [(f"{prefix}-{agreement.pk}-v{version.number}.pdf", document, "application/pdf")]


def agreement_proposed(*, agreement: Agreement, approvers: list[User]) -> int:
    """To the development lead and the delegates: an agreement awaits approval."""
    people = [p for p in approvers if p.pk != agreement.author_id] or approvers
    return _tell_staff(
        people, Notification.Kind.AGREEMENT_PROPOSED, agreement, "proposed", email=True
    )


def agreement_approved(*, agreement: Agreement, actor: User) -> int:
    """To the author (in the console): approved, ready to send."""
    people = [p for p in _team(agreement) if p.pk != actor.pk]
    return _tell_staff(
        people,
        Notification.Kind.AGREEMENT_APPROVED,
        agreement,
        "approved",
        email=False,
        by=actor.display_name,
    )


def agreement_returned(*, agreement: Agreement, actor: User, reason: str) -> int:
    """To the author: the development lead sends the agreement back, with why."""
    people = [p for p in _team(agreement) if p.pk != actor.pk]
    return _tell_staff(
        people,
        Notification.Kind.AGREEMENT_RETURNED,
        agreement,
        "returned",
        email=True,
        by=actor.display_name,
        reason=reason,
    )


def agreement_sent(*, agreement: Agreement, version: AgreementVersion, document: bytes) -> int:
    """To the client administrators: the agreement to review and accept, its PDF attached."""
    return _email(
        recipients.client_admins(agreement.organization_id),
        CLIENT_EMAIL,
        agreement,
        "sent",
        files=_pdf(agreement, version, document),
        facts={"delivery_on": version.delivery_on},
    )


def agreement_accepted(
    *, agreement: Agreement, version: AgreementVersion, actor: User, document: bytes
) -> int:
    """To the staff: the client accepted; to the client administrators: their signed copy."""
    _tell_staff(
        _team(agreement),
        Notification.Kind.AGREEMENT_ACCEPTED,
        agreement,
        "accepted",
        email=True,
        by=actor.display_name,
        delivery_on=version.delivery_on,
    )
    return _email(
        recipients.client_admins(agreement.organization_id),
        CLIENT_EMAIL,
        agreement,
        "accepted",
        files=_pdf(agreement, version, document),
        facts={"by": actor.display_name, "delivery_on": version.delivery_on},
    )


def agreement_declined(
    *, agreement: Agreement, version: AgreementVersion, actor: User, reason: str
) -> int:
    """To the staff: the client declined this version, with why."""
    return _tell_staff(
        _team(agreement),
        Notification.Kind.AGREEMENT_DECLINED,
        agreement,
        "declined",
        email=True,
        by=actor.display_name,
        reason=reason,
    )


def agreement_revised(*, agreement: Agreement, previous_delivery: date, delivery: date) -> int:
    """To the client administrators: the accepted delivery date moves; a new version follows."""
    return _email(
        recipients.client_admins(agreement.organization_id),
        CLIENT_EMAIL,
        agreement,
        "revised",
        facts={"previous_delivery": previous_delivery, "delivery_on": delivery},
    )


def agreement_delivered(*, agreement: Agreement, confirmation_due: datetime | None) -> int:
    """To the client administrators: delivered; confirm, or it is taken as delivered then."""
    return _email(
        recipients.client_admins(agreement.organization_id),
        CLIENT_EMAIL,
        agreement,
        "delivered",
        facts={"confirmation_due": confirmation_due},
    )


def agreement_confirmed(*, agreement: Agreement, actor: User | None) -> int:
    """To the staff (in the console): the client confirmed, or the delay ran out."""
    return _tell_staff(
        _team(agreement),
        Notification.Kind.AGREEMENT_CONFIRMED,
        agreement,
        "confirmed",
        email=False,
        by=actor.display_name if actor is not None else "",
    )


def agreement_disputed(*, agreement: Agreement, actor: User, reason: str) -> int:
    """To the staff: the client says the delivery is not what was agreed; back to production."""
    return _tell_staff(
        _team(agreement),
        Notification.Kind.AGREEMENT_DISPUTED,
        agreement,
        "disputed",
        email=True,
        by=actor.display_name,
        reason=reason,
    )


def agreement_cancelled(*, agreement: Agreement, actor: User, reason: str) -> int:
    """To the staff concerned; to the client administrators if they had been sent it."""
    _tell_staff(
        [p for p in _team(agreement) if p.pk != actor.pk],
        Notification.Kind.AGREEMENT_CANCELLED,
        agreement,
        "cancelled",
        email=False,
        by=actor.display_name,
        reason=reason,
    )
    if agreement.sent_id is None:
        return 0
    return _email(
        recipients.client_admins(agreement.organization_id),
        CLIENT_EMAIL,
        agreement,
        "cancelled",
        facts={"reason": reason},
    )


def milestone_late(*, agreement: Agreement, milestone: Milestone) -> int:
    """To the technicians of the agreement and the development leads: a milestone's day passed."""
    accepted = agreement.accepted
    people = _team(
        agreement,
        also=[*recipients.development_leads(), accepted.approved_by if accepted else None],
    )
    return _tell_staff(
        people,
        Notification.Kind.MILESTONE_LATE,
        agreement,
        "milestone_late",
        email=True,
        milestone=milestone.pk,
        title=milestone.title,
        due_on=milestone.due_on,
    )


# -- emails ------------------------------------------------------------------------------


def _context(row: OutboundEmail) -> dict[str, Any]:
    ticket = row.ticket
    assert ticket is not None
    data = row.context
    staff = row.recipient is not None and row.recipient.is_staff_member
    site = "console:agreement" if staff else "portal:agreement"
    return {
        **data,
        "ticket": ticket,
        "number": ticket.number,
        "agreement_number": data.get("agreement"),
        "organization": ticket.organization.name,
        "delivery_on": parse_date(str(data.get("delivery_on") or "")),
        "previous_delivery": parse_date(str(data.get("previous_delivery") or "")),
        "due_on": parse_date(str(data.get("due_on") or "")),
        "confirmation_due": parse_datetime(str(data.get("confirmation_due") or "")),
        "url": settings.SITE_URL + reverse(site, args=[data.get("agreement")]),
    }


for kind in (
    EmailKind(CLIENT_EMAIL, f"{TEMPLATES}/{CLIENT_EMAIL}", _context, answerable=True),
    EmailKind(STAFF_EMAIL, f"{TEMPLATES}/{STAFF_EMAIL}", _context),
):
    register(kind)
