"""Who is told: the people each event concerns, read from accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from soutien.accounts.models import ClientRole, User

if TYPE_CHECKING:
    from soutien.ticketing.models import Ticket


def managers() -> list[User]:
    """Active support managers and administrators."""
    return list(
        User.objects.filter(is_active=True, organization__isnull=True).filter(
            Q(is_support_manager=True) | Q(is_superuser=True)
        )
    )


def client_contact(ticket: Ticket) -> User | None:
    """The request's contact, if an email can reach them."""
    contact = ticket.contact
    return contact if contact.email and contact.is_active else None


def handlers(ticket: Ticket, *, with_managers: bool) -> list[User]:
    """The assignee, else the technicians of the request's level; managers if asked or if nobody."""
    if ticket.assignee_id is not None and ticket.assignee is not None and ticket.assignee.is_active:
        people = [ticket.assignee]
    elif ticket.level is not None:
        people = list(User.objects.technicians(ticket.level))
    else:
        people = []
    if with_managers or not people:
        people += managers()
    return list({p.pk: p for p in people}.values())


def bank_watchers(organization_id: int) -> list[User]:
    """The organization's client administrators and the support managers."""
    return list(
        User.objects.filter(is_active=True).filter(
            Q(organization_id=organization_id, client_role=ClientRole.CLIENT_ADMIN)
            | Q(organization__isnull=True, is_support_manager=True)
        )
    )


def client_admins(organization_id: int) -> list[User]:
    """The organization's active client administrators: who signs for it."""
    return list(
        User.objects.filter(
            organization_id=organization_id, client_role=ClientRole.CLIENT_ADMIN, is_active=True
        ).order_by("id")
    )


def development_leads() -> list[User]:
    """Active development leads (staff)."""
    return list(
        User.objects.filter(is_active=True, organization__isnull=True, is_development_lead=True)
    )


def trainers() -> list[User]:
    """Active staff with the trainer role."""
    return list(User.objects.filter(is_active=True, organization__isnull=True, is_trainer=True))
