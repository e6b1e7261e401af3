"""Who may do what with an agreement (SPEC 1 and 6).

- writers: level-3 technicians (and whoever may approve) write, propose, send, start, deliver
  and mark milestones done;
- approvers: the development lead, a delegate a manager named, or an administrator;
- the client: a client administrator of the request's organization accepts, declines,
  confirms or disputes; a contact may read, never sign;
- cancel: writers and support managers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.agreements.models import Action, Agreement, Delegate
from soutien.core.errors import NotAllowed

CLIENT_ACTIONS = (Action.ACCEPT, Action.DECLINE, Action.CONFIRM, Action.DISPUTE)
APPROVER_ACTIONS = (Action.APPROVE, Action.REJECT)


def is_delegate(user: User) -> bool:
    return Delegate.objects.filter(user=user, revoked_at__isnull=True).exists()


def may_approve(user: User) -> bool:
    if not user.is_staff_member:
        return False
    return user.is_development_lead or user.is_superuser or is_delegate(user)


def may_write(user: User) -> bool:
    return user.is_staff_member and (3 in user.levels or may_approve(user))


def may_sign(user: User, agreement: Agreement) -> bool:
    """A client administrator of the agreement's organization."""
    return user.is_client_admin and user.organization_id == agreement.organization_id


def approvers() -> QuerySet[User]:
    """Active development leads and delegates: who is asked to approve."""
    delegates = Delegate.objects.filter(revoked_at__isnull=True).values("user_id")
    return User.objects.filter(is_active=True, organization__isnull=True).filter(
        Q(is_development_lead=True) | Q(pk__in=delegates)
    )


def require_writer(user: User) -> None:
    if not may_write(user):
        raise NotAllowed(
            _("Only a level-3 technician or the development lead writes development agreements.")
        )


def require_for(user: User, agreement: Agreement, action: str) -> None:
    """Refuse (403) an action this person may not take on this agreement, whatever its state."""
    if action in CLIENT_ACTIONS:
        if not may_sign(user, agreement):
            raise NotAllowed(
                _("Only a client administrator of the organization can answer an agreement.")
            )
    elif action in APPROVER_ACTIONS:
        if not may_approve(user):
            raise NotAllowed(_("Only the development lead or a delegate can approve an agreement."))
    elif action == Action.CANCEL:
        if not (may_write(user) or user.is_manager):
            raise NotAllowed(_("Only the support team can cancel an agreement."))
    else:
        require_writer(user)


@dataclass(frozen=True)
class Powers:
    """What one person may do with agreements, read once for a page or a list of them."""

    write: bool
    approve: bool
    cancel: bool
    organization_id: int | None

    @classmethod
    def of(cls, user: User) -> Powers:
        approve = may_approve(user)
        write = user.is_staff_member and (3 in user.levels or approve)
        return cls(
            write=write,
            approve=approve,
            cancel=write or user.is_manager,
            organization_id=user.organization_id if user.is_client_admin else None,
        )

    def may(self, agreement: Agreement, action: str) -> bool:
        if action in CLIENT_ACTIONS:
            return self.organization_id == agreement.organization_id
        if action in APPROVER_ACTIONS:
            return self.approve
        if action == Action.CANCEL:
            return self.cancel
        return self.write


def actions_for(user: User, agreement: Agreement, powers: Powers | None = None) -> list[str]:
    """The actions this person may take now, from the agreement's current state."""
    powers = powers or Powers.of(user)
    return [action for action in agreement.allowed_actions if powers.may(agreement, action)]
